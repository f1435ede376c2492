-- The database contract. Other parts of the product (dashboard, exports, checks) read these.
-- Every extracted value carries its document and source line (and page, for PDF input).

CREATE TABLE documents (
    document_id   INTEGER PRIMARY KEY,
    district      VARCHAR NOT NULL,       -- canonical name from data/districts.csv
    year          INTEGER NOT NULL,
    doc_type      VARCHAR NOT NULL,       -- verksamhetsplan | verksamhetsberattelse | tertialrapport
    level         VARCHAR NOT NULL,       -- namnd | enhet
    unit_name     VARCHAR,                -- for level = enhet
    source_file   VARCHAR NOT NULL,       -- path relative to the input folder
    sha256        VARCHAR NOT NULL,       -- of the file's raw bytes
    text_flavour  VARCHAR,                -- spaced | plain | markdown | pdf
    detected_by   VARCHAR,                -- content | sidecar
    n_lines       INTEGER
);

CREATE TABLE goals (
    goal_id       INTEGER PRIMARY KEY,
    document_id   INTEGER NOT NULL,
    level         VARCHAR NOT NULL,       -- inriktningsmal | kf_mal | namndmal | enhetsmal
    code          VARCHAR,                -- "1", "1.1", "1.1.1" when printed
    text          VARCHAR NOT NULL,
    assessment    VARCHAR,                -- helt | delvis | inte | NULL
    assessment_raw VARCHAR,
    parent_code   VARCHAR,
    parent_goal_id INTEGER,
    section_id    INTEGER,                -- sections.section_id the goal heading opens (issue 3)
    source_line   INTEGER NOT NULL,
    source_page   INTEGER,
    source_box    VARCHAR  -- PDF: [x0, top, x1, bottom] in points from the page's top left (JSON)
);

-- The indicator catalogue: one identity per indicator across districts and years.
-- Written by the derived stage (etl/derive/identity.py) after every build: printed variants merged
-- into identities; the load stage gives each value a provisional id from its normalised name.
CREATE TABLE indicators (
    indicator_id  VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,       -- canonical name
    unit          VARCHAR,
    direction     VARCHAR,                -- higher | lower | neither
    is_kf         BOOLEAN,                -- the city council's (KF) indicator
    gender_split  BOOLEAN
);

-- How each printed name (and unit) was matched to its identity, and what to review (issue 4).
CREATE TABLE indicator_matches (
    printed_name  VARCHAR NOT NULL,       -- cleaned printed name (wraps/hyphenation joined)
    unit          VARCHAR,
    indicator_id  VARCHAR NOT NULL,
    method        VARCHAR NOT NULL,       -- exact | normalised | fuzzy | override
    score         DOUBLE,                 -- rapidfuzz ratio 0-100 to matched_name
    matched_name  VARCHAR,
    needs_review  BOOLEAN NOT NULL,
    candidate_id  VARCHAR,                -- an identity it might also be (not merged)
    candidate_name VARCHAR,
    candidate_score DOUBLE,
    reason        VARCHAR,
    n_rows        INTEGER,
    districts     VARCHAR,
    years         VARCHAR,
    goals         VARCHAR                 -- goal context the name is printed under
);

-- KF:s årsmål reconciliation per identity and year (issue 4): agrees | disagree |
-- filled | filled_equal (an empty KF:s årsmål filled from other districts) | check_differs.
CREATE TABLE kf_target_checks (
    indicator_id  VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    value_id      INTEGER,                -- indicator_values row (NULL for disagree rows)
    district      VARCHAR,
    printed_kf_target DOUBLE,
    consensus_kf_target DOUBLE,
    status        VARCHAR NOT NULL,
    note          VARCHAR
);

CREATE TABLE indicator_values (
    value_id          INTEGER PRIMARY KEY,
    document_id       INTEGER NOT NULL,
    indicator_id      VARCHAR NOT NULL,
    name              VARCHAR NOT NULL,   -- as printed, wrapped lines joined
    goal_id           INTEGER,            -- the goal whose table holds the row
    goal_level        VARCHAR,            -- level of that goal (kf_mal | namndmal | enhetsmal)
    kf_goal_code      VARCHAR,
    namndmal          VARCHAR,            -- text of the enclosing Nämndmål, if any
    target            DOUBLE,
    target_raw        VARCHAR,
    kf_target         DOUBLE,
    kf_target_raw     VARCHAR,
    unit              VARCHAR,
    periodicity       VARCHAR,            -- plans: Periodicitet; reports: Period
    outcome           DOUBLE,
    outcome_raw       VARCHAR,
    outcome_men       DOUBLE,
    outcome_men_raw   VARCHAR,
    outcome_women     DOUBLE,
    outcome_women_raw VARCHAR,
    prior_outcome     DOUBLE,             -- reports: "Periodens utfall VB <previous year>"
    prior_outcome_raw VARCHAR,
    prior_year        INTEGER,
    analysis          VARCHAR,            -- "Analys" text printed under the row (reports)
    section_id        INTEGER,
    source_line       INTEGER NOT NULL,
    source_line_end   INTEGER,
    source_page       INTEGER,
    source_box        VARCHAR,  -- PDF: [x0, top, x1, bottom] in points from the page's top left (JSON)
    cell_boxes        VARCHAR             -- PDF: {"name": box, "target": box, ...} each cell's box (JSON)
);

CREATE TABLE activities (
    activity_id   INTEGER PRIMARY KEY,
    document_id   INTEGER NOT NULL,
    goal_id       INTEGER,
    goal_code     VARCHAR,
    text          VARCHAR NOT NULL,
    start_date    VARCHAR,               -- ISO date as printed (YYYY-MM-DD) or raw text
    end_date      VARCHAR,
    deviation     VARCHAR,               -- reports: Avvikelse
    source_line   INTEGER NOT NULL,
    source_page   INTEGER,
    source_box    VARCHAR,  -- PDF: [x0, top, x1, bottom] in points from the page's top left (JSON)
    analysis      VARCHAR                -- reports: "Analys" text under the activity
);

CREATE TABLE budget_lines (
    budget_line_id INTEGER PRIMARY KEY,
    document_id   INTEGER NOT NULL,
    table_title   VARCHAR,
    section       VARCHAR,
    row_label     VARCHAR NOT NULL,       -- as printed
    area          VARCHAR,                -- canonical activity area (data/activity_areas.csv)
    column_label  VARCHAR NOT NULL,
    value         DOUBLE,                 -- mnkr as printed
    value_raw     VARCHAR,
    unit          VARCHAR,
    source_line   INTEGER NOT NULL,
    source_page   INTEGER,
    source_box    VARCHAR,  -- PDF: [x0, top, x1, bottom] in points from the page's top left (JSON)
    table_no      INTEGER                 -- the table's number within its document (1, 2, ...)
);

CREATE TABLE sections (
    section_id    INTEGER PRIMARY KEY,
    document_id   INTEGER NOT NULL,
    heading       VARCHAR NOT NULL,
    heading_path  VARCHAR,                -- "Parent > Child > Heading"
    text          VARCHAR,
    source_line_start INTEGER NOT NULL,
    source_line_end   INTEGER NOT NULL,
    source_page   INTEGER
);

CREATE TABLE warnings (
    warning_id    INTEGER PRIMARY KEY,
    document_id   INTEGER,               -- NULL when the file could not be loaded at all
    source_file   VARCHAR NOT NULL,
    stage         VARCHAR NOT NULL,      -- read | detect | goals | indicators | activities | budget | ...
    message       VARCHAR NOT NULL,
    source_line   INTEGER
);

-- Full-text index (etl/search.py): BM25 over sections, terms from etl/terms.py.
CREATE TABLE search_postings (
    term_id       BIGINT NOT NULL,        -- etl.terms.term_id(word)
    section_id    INTEGER NOT NULL,
    tf            INTEGER NOT NULL        -- occurrences of the term in the section
);

CREATE TABLE search_lengths (
    section_id    INTEGER NOT NULL,
    n_terms       INTEGER NOT NULL
);

-- Every input file of the last build, loaded or skipped, with the key that says whether it
-- changed (sha256 of its bytes, its path, its side-car): an incremental build re-reads only
-- files whose key is new.
CREATE TABLE build_files (
    source_file   VARCHAR NOT NULL,       -- path relative to the input folder
    file_key      VARCHAR NOT NULL,
    document_id   INTEGER                 -- NULL when the file was skipped (see warnings)
);

CREATE TABLE build_info (
    key           VARCHAR PRIMARY KEY,
    value         VARCHAR
);
