-- OpenLearn Colombia: the 8 tables named by "Phase 2: Database Index Deployment Guide", the hand-run
-- deployment this example reproduces (see README.md).
--
-- Plain DDL: tables, primary keys, foreign keys, NOT NULL and CHECK constraints, nothing else.
-- The performance indexes are NOT created here: indexes.yaml declares them and `reconcile apply`
-- builds them. The only indexes this file creates are the ones a primary key implies.
--
-- Tables are schema-qualified (public), so the file does the same thing whatever the session's
-- search_path is. No extension is needed: full-text search uses the built-in `spanish` configuration.
--
--   psql -d openlearn -v ON_ERROR_STOP=1 -f schema.sql
--
-- Levels (scraped_content.difficulty_level, extracted_vocabulary.difficulty_level) are CEFR levels as
-- numbers: 1 = A1, 2 = A2, 3 = B1, 4 = B2, 5 = C1, 6 = C2. users.spanish_level keeps the CEFR code.

-- Articles scraped from Colombian news sources.
CREATE TABLE public.scraped_content (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source           varchar(100)  NOT NULL,              -- 'El Tiempo', 'El Espectador', ...
    category         varchar(50)   NOT NULL,              -- 'política', 'economía', ...
    title            text          NOT NULL,
    content          text,                                -- NULL when only the headline could be scraped
    author           varchar(200),
    url              text          NOT NULL,
    published_date   timestamptz,                         -- NULL when the page shows no date
    scraped_at       timestamptz   NOT NULL DEFAULT now(),
    difficulty_level smallint      CHECK (difficulty_level BETWEEN 1 AND 6),
    word_count       integer       NOT NULL DEFAULT 0 CHECK (word_count >= 0),
    is_paywall       boolean       NOT NULL DEFAULT false,
    tags             jsonb         NOT NULL DEFAULT '[]', -- ["elecciones", "congreso"]
    entities         jsonb         NOT NULL DEFAULT '{}'  -- {"people": [...], "organizations": [...], "locations": [...]}
);

-- Learners, teachers, analysts and administrators.
CREATE TABLE public.users (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email              varchar(255) NOT NULL,             -- unique case-insensitively: see indexes.yaml
    username           varchar(50)  NOT NULL,             -- unique: see indexes.yaml
    password_hash      text         NOT NULL,
    full_name          varchar(200),
    role               varchar(20)  NOT NULL DEFAULT 'student'
                       CHECK (role IN ('student', 'teacher', 'analyst', 'admin')),
    spanish_level      varchar(2)   CHECK (spanish_level IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2')),
    is_active          boolean      NOT NULL DEFAULT true,
    refresh_token      text,                              -- NULL when the user has no open session
    refresh_expires_at timestamptz,
    last_login         timestamptz,                       -- NULL for users who never logged in
    created_at         timestamptz  NOT NULL DEFAULT now(),
    updated_at         timestamptz  NOT NULL DEFAULT now()
);

-- NLP analysis of an article. An article may have several: re-analysed when the model changes, and
-- every half hour while a story develops.
CREATE TABLE public.content_analysis (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    content_id        bigint        NOT NULL REFERENCES public.scraped_content (id) ON DELETE CASCADE,
    model_version     varchar(20)   NOT NULL,
    sentiment_score   numeric(4, 3) CHECK (sentiment_score BETWEEN -1 AND 1), -- NULL when not computed
    sentiment_label   varchar(10)   CHECK (sentiment_label IN ('positive', 'neutral', 'negative', 'mixed')),
    readability_score numeric(5, 2),
    summary           text,
    entities          jsonb         NOT NULL DEFAULT '{}',
    topics            jsonb         NOT NULL DEFAULT '[]',
    processed_at      timestamptz   NOT NULL DEFAULT now()
);

-- Words extracted from articles for vocabulary practice.
CREATE TABLE public.extracted_vocabulary (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    content_id       bigint       NOT NULL REFERENCES public.scraped_content (id) ON DELETE CASCADE,
    word             varchar(100) NOT NULL,
    lemma            varchar(100) NOT NULL,
    pos_tag          varchar(10)  NOT NULL,               -- Universal POS tag: NOUN, VERB, ADJ, ...
    frequency        integer      NOT NULL DEFAULT 1 CHECK (frequency > 0),
    difficulty_level smallint     CHECK (difficulty_level BETWEEN 1 AND 6),
    is_colombian     boolean      NOT NULL DEFAULT false, -- colombianismo: chévere, parcero, ...
    context_sentence text,
    translation      text,
    created_at       timestamptz  NOT NULL DEFAULT now()
);

-- A learner's spaced-repetition state for one word.
CREATE TABLE public.user_vocabulary (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          bigint        NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    vocabulary_id    bigint        NOT NULL REFERENCES public.extracted_vocabulary (id) ON DELETE CASCADE,
    mastery_level    smallint      NOT NULL DEFAULT 0 CHECK (mastery_level BETWEEN 0 AND 5),
    ease_factor      numeric(4, 2) NOT NULL DEFAULT 2.5,
    interval_days    integer       NOT NULL DEFAULT 0,
    review_count     integer       NOT NULL DEFAULT 0,
    correct_count    integer       NOT NULL DEFAULT 0,
    next_review_at   timestamptz,                         -- NULL once the word is mastered
    last_reviewed_at timestamptz,
    created_at       timestamptz   NOT NULL DEFAULT now()
);

-- Study sessions; ended_at IS NULL while a session is still open.
CREATE TABLE public.learning_sessions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          bigint        NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    session_type     varchar(20)   NOT NULL
                     CHECK (session_type IN ('reading', 'vocabulary', 'quiz', 'listening', 'conversation')),
    started_at       timestamptz   NOT NULL,
    ended_at         timestamptz,
    session_date     date          NOT NULL,              -- local (Bogotá) date, for streaks
    duration_seconds integer,
    items_completed  integer       NOT NULL DEFAULT 0,
    score            numeric(5, 2),
    content_ids      jsonb         NOT NULL DEFAULT '[]', -- [1234, 5678]: articles read in the session
    vocabulary_ids   jsonb         NOT NULL DEFAULT '[]'  -- [42, 77]: words practised in the session
);

-- How far a learner got in an article.
CREATE TABLE public.user_content_progress (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id            bigint        NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    content_id         bigint        NOT NULL REFERENCES public.scraped_content (id) ON DELETE CASCADE,
    read_percentage    numeric(5, 2) NOT NULL DEFAULT 0 CHECK (read_percentage BETWEEN 0 AND 100),
    time_spent_seconds integer       NOT NULL DEFAULT 0,
    is_bookmarked      boolean       NOT NULL DEFAULT false,
    last_accessed_at   timestamptz   NOT NULL DEFAULT now(),
    completed_at       timestamptz,                       -- set when read_percentage reaches 100
    created_at         timestamptz   NOT NULL DEFAULT now()
);

-- Alerts raised from the news stream (protests, security, economy, ...) for analysts.
CREATE TABLE public.intelligence_alerts (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_type        varchar(30)  NOT NULL,              -- 'security', 'protest', 'economic', ...
    severity          varchar(10)  NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status            varchar(15)  NOT NULL DEFAULT 'active'
                      CHECK (status IN ('active', 'acknowledged', 'resolved', 'dismissed', 'expired')),
    title             text         NOT NULL,
    description       text,
    region            varchar(100),
    source_content_id bigint       REFERENCES public.scraped_content (id) ON DELETE SET NULL,
    acknowledged_by   bigint       REFERENCES public.users (id) ON DELETE SET NULL,
    acknowledged_at   timestamptz,
    keywords          jsonb        NOT NULL DEFAULT '[]', -- ["paro armado", "bloqueo"]
    entities          jsonb        NOT NULL DEFAULT '{}',
    created_at        timestamptz  NOT NULL DEFAULT now(),
    expires_at        timestamptz                         -- NULL: does not expire
);
