-- Citizens' profiles (profile/): what a citizen gives once and MPP offers
-- back on every form. A citizen belongs to no mall, so neither does the
-- profile: it is keyed by the account. A NIK is linked to one account
-- once the population register confirmed it (the partial unique index);
-- before that, typing someone's NIK reserves nothing.
CREATE TABLE citizen_profiles (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    nik TEXT NOT NULL,
    full_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    kk TEXT NOT NULL DEFAULT '',
    region_code TEXT NOT NULL DEFAULT '',
    street TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    -- When the register last answered "match" for these NIK, name and date.
    verified_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX citizen_profiles_verified_nik ON citizen_profiles (nik) WHERE verified_at IS NOT NULL;

-- Every question put to the population register and its answer (match,
-- no_match, unavailable): never a copy of what the register holds.
CREATE TABLE nik_checks (
    user_id TEXT NOT NULL REFERENCES users (id),
    id TEXT NOT NULL,
    at BIGINT NOT NULL,
    nik TEXT NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (user_id, id)
);
