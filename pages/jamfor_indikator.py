"""Jämför indikator: one indicator across districts for a year, and over the years."""
import polars as pl
import streamlit as st

from dashboard import (
    document_queries,
    geo,
    indicator_charts,
    indicator_queries,
    indicator_values,
    labels,
    registry_queries,
    standing,
)
from dashboard.fmt import fmt_lines, fmt_value, md_escape
from dashboard.ui import (
    chart,
    choice_select,
    district_select,
    header,
    indicator_picker,
    my_district,
    provenance,
    q,
    show_chart,
    show_table,
    shown,
    sort_select,
    value_text,
    view_tabs,
    year_select,
)

header("Jämför indikator", "Var står stadsdelen jämfört med de andra, med sitt eget mål och med KF:s mål?")

ind = indicator_picker()
if ind is None:
    st.stop()
iid, unit = ind["indicator_id"], ind["unit"]
by_year = q(indicator_values.indicator_by_year, iid)
measured = by_year.filter(pl.col("outcome").is_not_null())["year"].unique().to_list()
all_years = sorted(set(by_year["year"].to_list()) | set(q(document_queries.years)))

c1, c2, c3 = st.columns([1, 3, 1.3])
with c1:
    year = year_select(all_years, default=max(measured) if measured else None)
with c2:
    chosen = district_select(q(document_queries.districts)) or q(document_queries.districts)
with c3:
    sort = sort_select()

# across districts and over years come from the cached by_year frame (one query per indicator)
every = indicator_queries.across_districts(by_year, q(indicator_queries.district_documents, year),
                                           q(indicator_queries.indicator, iid) or {}, iid, year)
# the city's references come from every district of the year, whatever the user filtered:
# the filter only decides which bars are drawn
ref = indicator_queries.reference_values(every, unit)
across = every.filter(pl.col("district").is_in(chosen))
order = indicator_charts.district_order(across, sort, ind["direction"])
across = across.with_columns(_o=pl.col("district").replace_strict(order, list(range(len(order))),
                                                                  return_dtype=pl.Int64)).sort("_o").drop("_o")
# a chosen district that was formed by a merger brings its predecessors' years along
lineage = sorted({p["name"] for d in chosen for p in registry_queries.predecessors(d)} - set(chosen))
over = indicator_queries.over_years(by_year, chosen + lineage)
over_all = indicator_queries.over_years(by_year)          # every district: the ones not chosen in grey
chart_years = sorted(set(over["year"].to_list()))
lineage_notes = [n for d in chosen if (n := registry_queries.lineage_note(d, chart_years))]
source = "Stadsdelsnämndernas verksamhetsplaner och verksamhetsberättelser"
median_note = f" · streckad: stadens median (median av {ref['n']} stadsdelar)" if ref["median"] is not None else ""
kf_line = ref["kf_target"] if ref["kf_scope"] == "district" else None
kf_note = " · blå linje: KF:s årsmål" if kf_line is not None else ""
subtitle = f"{year} · svart streck: stadsdelens årsmål{kf_note}{median_note}"
if ref["kf_scope"] == "city":
    subtitle += f" · KF:s årsmål för hela staden: {ref['kf_text'] or fmt_value(ref['kf_target'], unit)}"


def table(frame: pl.DataFrame) -> pl.DataFrame:
    rows = frame.to_dicts()
    return frame.with_columns(
        utfall=pl.Series([value_text(r) for r in rows], dtype=pl.String),
        mal=pl.Series([fmt_value(r.get("target"), unit) for r in rows], dtype=pl.String),
        kf=pl.Series([fmt_value(r.get("kf_target"), unit) for r in rows], dtype=pl.String),
        uppfyllelse=pl.Series([labels.ATTAINMENT_LABELS.get(r.get("attainment"), "–") for r in rows]),
        kalla=pl.Series([f"{r.get('source_file') or ''} {fmt_lines(r.get('source_line'))}".strip()
                         + (" (följande års rapport)" if r.get("from_later_report") else "") for r in rows]),
    )


mine = my_district()
if mine is not None:
    place = standing.rank(every, mine, ind["direction"])
    mine_row = every.filter(pl.col("district") == mine)
    if place is not None:
        st.markdown("**Min stadsdel:** " + md_escape(
            f"{mine} {year}: {value_text(mine_row.row(0, named=True))}, "
            f"{standing.rank_text(place, ind['direction'])} stadsdelar med värde"))
    else:
        reason = mine_row["missing_reason"][0] if mine_row.height else indicator_values.MISSING_NO_DOCUMENT
        st.markdown("**Min stadsdel:** " + md_escape(f"{mine} {year}: inget värde ({reason or 'saknas'})."))

diagram, tabell, karta = view_tabs(with_map=True)
if shown(diagram):          # only the open tab is made (the URL keeps the tab)
    with diagram:
        if ref["kf_scope"] == "city":
            st.caption(f"KF:s årsmål för hela staden: {md_escape(ref['kf_text'] or fmt_value(ref['kf_target'], unit))} "
                       "(en summa för staden, inte jämförbar med en stadsdels värde; visas därför inte som linje).")
        show_chart(chart(indicator_charts.ranked_bars, across, unit=unit, direction=ind["direction"], sort=sort,
                         median=ref["median"], kf_target=kf_line, mine=mine, title=ind["name"], subtitle=subtitle),
                   across, title=ind["name"], subtitle=subtitle, source=source, key="ranked")
        if "outcome_men" in across.columns and across["outcome_men"].is_not_null().any():
            st.subheader("Kvinnor och män")
            show_chart(chart(indicator_charts.gender_bars, across, unit=unit, title=ind["name"],
                             subtitle=f"{year} per kön", mine=mine),
                       across, title=ind["name"], subtitle=f"{year} per kön", source=source, key="gender")
        st.subheader("Över tid")
        show_chart(chart(indicator_charts.year_lines, over_all, unit=unit, title=ind["name"],
                         highlight=chosen + lineage, mine=mine), over,
                   title=ind["name"], subtitle="Utfall per år" + (" · valda stadsdelar i färg, övriga i grått"
                                                                 if len(chosen) <= indicator_charts.HIGHLIGHT_MAX
                                                                 else ""),
                   source=source, key="years")
        st.caption(indicator_charts.LATER_REPORT_NOTE)
if shown(tabell):
    with tabell:
        cols = {"district": "Stadsdel", "utfall": "Utfall", "mal": "Årsmål", "kf": "KF:s årsmål",
                "uppfyllelse": "Måluppfyllelse", "kalla": "Källa"}
        show_table(table(across), cols, key="across_table")
        st.subheader("Över tid")
        show_table(table(over), {"year": "År", **cols}, key="over_table")

for note in lineage_notes:       # (chart and table alike: a district's predecessors are in both)
    st.caption(md_escape(note))

if shown(karta):          # the map is made only when its tab is open (the URL keeps the tab)
    with karta:
        colour_by = st.segmented_control("Färg efter", ["Utfall", "Måluppfyllelse"], default="Utfall", key="karta",
                                         bind="query-params", required=True)
        kind = "attainment" if colour_by == "Måluppfyllelse" else "value"
        map_sub = f"{year} · {'måluppfyllelse mot stadsdelens årsmål' if kind == 'attainment' else 'utfall'}"
        # every district of the year on the map (the filter picks bars, not the city)
        show_chart(chart(geo.district_map, every, unit=unit, chosen=mine, title=ind["name"], subtitle=map_sub,
                         color_kind=kind),
                   every, title=ind["name"], subtitle=map_sub, source=source, credit=geo.MAP_NOTE, key="map")
        st.caption(f"{geo.MAP_NOTE}. Grå: inget värde (orsaken visas när du håller över stadsdelen)."
                   + (" Tjock kant: min stadsdel." if mine else ""))

# one district's source at a time (a panel per district cost the first paint ~0,3 s at city
# scale); the Tabell tab lists every district's file and line
st.subheader(f"Varifrån kommer siffrorna ({year})?")
by_district = {r["district"]: r for r in across.to_dicts()}
if by_district:
    names = list(by_district)
    pick = choice_select("Visa källan för", names, key="kalla", default=mine if mine in by_district else names[0])
    provenance(by_district[pick], expanded=True)
    st.caption("Fil och rad för varje stadsdel står i fliken Tabell.")
