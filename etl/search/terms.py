"""Search terms: Swedish text -> words -> stemmed terms -> 64-bit term ids.

One definition, used when the index is built (etl/search/index.py, per document in the parse
workers) and when a query is read, so both sides always agree:

- words: lower-cased runs of letters and digits (Swedish and a few accented letters kept,
  so "fält" and "falt" are different words); everything else separates words;
- definite singular "-an(s)" folded to "-a(s)" ("förskolan" -> "förskola"), which the
  Snowball stemmer leaves alone, so "förskolan" finds "förskolor";
- the Snowball Swedish stemmer (package snowballstemmer): "förskolor", "förskola",
  "förskolorna" -> "förskol"; "målet" -> "mål";
- a term's id is the first 8 bytes of its BLAKE2b hash as a signed integer: stable across
  processes and machines, so documents can be indexed in parallel and one at a time;
- a query leaves out stop words ("i", "och") unless it has nothing else.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from functools import lru_cache

import snowballstemmer

WORD = re.compile(r"[a-z0-9åäöéèüáàæø]+")       # applied to lower-cased text
_STEMMER = snowballstemmer.stemmer("swedish")


def words(text: str | None) -> list[str]:
    return WORD.findall((text or "").lower())


def normalise_word(word: str) -> str:
    """Lower-case a word and turn a definite singular "-an(s)" into "-a(s)"."""
    w = word.lower()
    if len(w) >= 6 and w.endswith("ans"):
        return w[:-2] + "s"
    if len(w) >= 6 and w.endswith("an"):
        return w[:-1]
    return w


@lru_cache(maxsize=200_000)
def term(word: str) -> str:
    """The stemmed search term of one word."""
    return _STEMMER.stemWord(normalise_word(word))


@lru_cache(maxsize=200_000)
def term_id(word: str) -> int:
    """The index key of one word (via its term)."""
    digest = hashlib.blake2b(term(word).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


# Snowball's Swedish stop words. All words are indexed; a query leaves these out when it has
# other words ("barn i förskolan" -> barn, förskolan), as they match nearly every section.
STOPWORDS = frozenset("""
och det att i en jag hon som han på den med var sig för så till är men ett om hade de av icke
mig du henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde något från ut
när efter upp vi dem vara vad över än dig kan sina här ha mot alla under någon eller allt mycket
sedan ju denna själv detta åt utan varit hur ingen mitt ni bli blev oss din dessa några deras
blir mina samma vilken er sådan vår blivit dess inom mellan sådant varför varje vilka ditt vem
vilket sitta sådana vart dina vars vårt våra ert era vilkas""".split())


def folded_term(word: str) -> str:
    """The stemmed term without accents ("bistånd" and "bistand" both give "bistand"), for
    matching what users type without å/ä/ö."""
    return "".join(c for c in unicodedata.normalize("NFKD", term(word)) if not unicodedata.combining(c))


def query_words(query: str | None) -> list[str]:
    """The words of a search query that are searched for: stop words only when nothing else."""
    found = words(query)
    content = [w for w in found if w not in STOPWORDS]
    return content or found


def term_counts(text: str | None) -> Counter:
    """term_id -> number of occurrences in the text."""
    return Counter(term_id(w) for w in words(text))
