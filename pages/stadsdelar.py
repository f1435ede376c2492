"""Stadsdelar: the district registry (data/districts.csv): today's councils, the former ones
and what they were merged into, and which plans and reports are loaded for each."""
import polars as pl
import streamlit as st

from dashboard import document_queries, labels
from dashboard.fmt import md_escape
from dashboard.registry_queries import documents_by_district, join_names, registry
from dashboard.ui import choice_select, header, my_district, no_data, q, show_table

header("Stadsdelar", "Stockholms stadsdelsnämnder i dag och tidigare, och vilka verksamhetsplaner och "
       "verksamhetsberättelser som är inlästa för var och en.")

reg = registry()
current = reg.filter(pl.col("current"))
former = reg.filter(~pl.col("current"))
docs = q(document_queries.documents)
counts = q(documents_by_district)
n_docs = dict(docs.group_by("district").len().iter_rows()) if docs.height else {}

st.subheader(f"Nuvarande stadsdelsnämnder ({current.height})")
show_table(current.with_columns(
    tidigare=pl.col("predecessors").map_elements(lambda names: join_names(list(names)), return_dtype=pl.String),
    antal=pl.col("name").replace_strict(n_docs, default=0, return_dtype=pl.Int64)),
    {"name": "Stadsdelsnämnd", "valid_from": "Sedan", "tidigare": "Bildad av", "antal": "Inlästa dokument"},
    key="current")

if former.height:
    st.subheader(f"Tidigare stadsdelsnämnder ({former.height})")
    show_table(former.with_columns(antal=pl.col("name").replace_strict(n_docs, default=0, return_dtype=pl.Int64)),
               {"name": "Stadsdelsnämnd", "years": "År", "successor": "Uppgick i", "antal": "Inlästa dokument"},
               key="former")
    st.caption("En tidigare nämnds dokument ligger kvar under dess eget namn för åren den fanns; "
               "dokument från åren efter sammanslagningen hör till den nya nämnden.")

if docs.height == 0:
    no_data()
    st.stop()


def doc_label(r: dict) -> str:
    """ "Verksamhetsplan 2021", with the number when several versions are loaded."""
    text = f"{labels.DOC_TYPE_LABELS.get(r['doc_type'], r['doc_type'])} {r['year']}"
    return text + (f" ({r['n_documents']} st)" if r["n_documents"] > 1 else "")


# every council of the registry, then a district of the database the registry lacks (none after a normal build)
names = reg["name"].to_list()
names += sorted(set(counts["district"].to_list()) - set(names))
by_district: dict[str, dict[str, list[str]]] = {n: {"namnd": [], "enhet": []} for n in names}
for r in counts.iter_rows(named=True):
    by_district[r["district"]].setdefault(r["level"], []).append(doc_label(r))
grid = pl.DataFrame({
    "district": names,
    "namnd": [", ".join(by_district[n]["namnd"]) or "inga inlästa" for n in names],
    "enhet": [", ".join(by_district[n]["enhet"]) for n in names],
    "antal": [n_docs.get(n, 0) for n in names],
}, schema={"district": pl.String, "namnd": pl.String, "enhet": pl.String, "antal": pl.Int64})

st.subheader("Inlästa dokument per stadsdel")
show_table(grid, {"district": "Stadsdel", "namnd": "Nämndens dokument", "enhet": "Enheternas dokument",
                  "antal": "Antal"}, key="grid")

st.subheader("En stadsdels dokument")
former_names = set(former["name"].to_list())
with_docs = [n for n in names if n_docs.get(n)]
mine = my_district()
district = choice_select("Stadsdel", names, key="stadsdel", default=mine if mine in names else with_docs[0],
                         format_func=lambda n: f"{n} (tidigare)" if n in former_names else n)
row = next((r for r in reg.iter_rows(named=True) if r["name"] == district), None)
if row is not None:
    if row["predecessors"]:
        st.caption(md_escape(f"Bildad {row['valid_from']} av {join_names(list(row['predecessors']))}."))
    elif row["successor"]:
        st.caption(md_escape(f"Fanns {row['years']}; uppgick {row['valid_to'] + 1} i {row['successor']}."
                             if row["valid_to"] is not None else f"Uppgick i {row['successor']}."))
    elif row["valid_from"] is not None:
        st.caption(md_escape(f"Stadsdelsnämnd sedan {row['valid_from']}."))

COLUMNS = {"year": "År", "dokument": "Dokument", "level": "Nivå", "unit_name": "Enhet", "source_file": "Fil",
           "n_goals": "Mål", "n_values": "Indikatorvärden"}


def labelled(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        dokument=pl.col("doc_type").replace_strict(labels.DOC_TYPE_LABELS, default=pl.col("doc_type")),
        level=pl.col("level").replace_strict(labels.LEVEL_LABELS, default=pl.col("level")))


mine_docs = docs.filter(pl.col("district") == district)
if mine_docs.height:
    show_table(labelled(mine_docs), COLUMNS, key="district_docs")
else:
    st.info(md_escape(f"Inga dokument för {district} är inlästa."))

earlier = list(row["predecessors"]) if row is not None else []
earlier_docs = docs.filter(pl.col("district").is_in(earlier))
if earlier_docs.height:
    st.markdown(md_escape(f"Dokument från {join_names(earlier)}, de tidigare nämnderna:"))
    show_table(labelled(earlier_docs), {"district": "Stadsdel", **COLUMNS}, key="earlier_docs")
