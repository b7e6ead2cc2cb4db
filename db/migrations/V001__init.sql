-- Initial schema of the key manager. Timestamps are naive UTC
-- (timestamp without time zone), as the API returns them. Every length
-- limit the API validates equals the width of its column here.

CREATE TABLE projects (
    id          varchar(255) PRIMARY KEY,
    created_at  timestamp(6) NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

-- One data-encryption key per project, wrapped by the master key.
CREATE TABLE project_keys (
    id             uuid PRIMARY KEY,
    project_id     varchar(255) NOT NULL UNIQUE REFERENCES projects (id),
    wrapped_key    bytea NOT NULL,
    master_key_id  varchar(16) NOT NULL,
    created_at     timestamp(6) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at     timestamp(6) NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX project_keys_master_key_id ON project_keys (master_key_id);

CREATE TABLE secrets (
    id            uuid PRIMARY KEY,
    project_id    varchar(255) NOT NULL REFERENCES projects (id),
    name          varchar(255),
    secret_type   varchar(255) NOT NULL DEFAULT 'opaque',
    algorithm     varchar(255),
    bit_length    integer,
    mode          varchar(255),
    expiration    timestamp(6),
    creator_id    varchar(255),
    status        varchar(20) NOT NULL DEFAULT 'ACTIVE',
    -- Stored payload type and its ciphertext; both NULL for a secret
    -- created without payload.
    content_type  varchar(255),
    ciphertext    bytea,
    created_at    timestamp(6) NOT NULL,
    updated_at    timestamp(6) NOT NULL,
    deleted       boolean NOT NULL DEFAULT false,
    deleted_at    timestamp(6)
);
CREATE INDEX secrets_project_created ON secrets (project_id, created_at) WHERE NOT deleted;
CREATE INDEX secrets_project_name ON secrets (project_id, name) WHERE NOT deleted;
CREATE INDEX secrets_deleted_at ON secrets (deleted_at) WHERE deleted;

CREATE TABLE secret_user_metadata (
    secret_id   uuid NOT NULL REFERENCES secrets (id) ON DELETE CASCADE,
    key         varchar(255) NOT NULL,
    value       varchar(255) NOT NULL,
    created_at  timestamp(6) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at  timestamp(6) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    PRIMARY KEY (secret_id, key)
);

-- The read ACL of a secret (the only ACL operation Barbican has).
CREATE TABLE secret_acls (
    secret_id       uuid PRIMARY KEY REFERENCES secrets (id) ON DELETE CASCADE,
    project_access  boolean NOT NULL DEFAULT true,
    users           varchar(255)[] NOT NULL DEFAULT '{}',
    created_at      timestamp(6) NOT NULL,
    updated_at      timestamp(6) NOT NULL
);
CREATE INDEX secret_acls_users ON secret_acls USING gin (users);

CREATE TABLE secret_consumers (
    id             uuid PRIMARY KEY,
    secret_id      uuid NOT NULL REFERENCES secrets (id) ON DELETE CASCADE,
    project_id     varchar(255) NOT NULL,
    service        varchar(255) NOT NULL,
    resource_type  varchar(255) NOT NULL,
    resource_id    varchar(36) NOT NULL,
    created_at     timestamp(6) NOT NULL,
    updated_at     timestamp(6) NOT NULL,
    deleted        boolean NOT NULL DEFAULT false,
    deleted_at     timestamp(6),
    UNIQUE (secret_id, service, resource_type, resource_id)
);
CREATE INDEX secret_consumers_project ON secret_consumers (project_id) WHERE NOT deleted;

CREATE TABLE containers (
    id          uuid PRIMARY KEY,
    project_id  varchar(255) NOT NULL REFERENCES projects (id),
    name        varchar(255),
    type        varchar(255) NOT NULL,
    creator_id  varchar(255),
    status      varchar(20) NOT NULL DEFAULT 'ACTIVE',
    created_at  timestamp(6) NOT NULL,
    updated_at  timestamp(6) NOT NULL,
    deleted     boolean NOT NULL DEFAULT false,
    deleted_at  timestamp(6)
);
CREATE INDEX containers_project_created ON containers (project_id, created_at) WHERE NOT deleted;

CREATE TABLE container_secrets (
    container_id  uuid NOT NULL REFERENCES containers (id) ON DELETE CASCADE,
    secret_id     uuid NOT NULL REFERENCES secrets (id) ON DELETE CASCADE,
    name          varchar(255),
    created_at    timestamp(6) NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE UNIQUE INDEX container_secrets_link ON container_secrets (container_id, secret_id, coalesce(name, ''));
CREATE INDEX container_secrets_secret ON container_secrets (secret_id);

CREATE TABLE container_acls (
    container_id    uuid PRIMARY KEY REFERENCES containers (id) ON DELETE CASCADE,
    project_access  boolean NOT NULL DEFAULT true,
    users           varchar(255)[] NOT NULL DEFAULT '{}',
    created_at      timestamp(6) NOT NULL,
    updated_at      timestamp(6) NOT NULL
);

CREATE TABLE container_consumers (
    id            uuid PRIMARY KEY,
    container_id  uuid NOT NULL REFERENCES containers (id) ON DELETE CASCADE,
    project_id    varchar(255) NOT NULL,
    name          varchar(36) NOT NULL,
    url           varchar(255) NOT NULL,
    created_at    timestamp(6) NOT NULL,
    updated_at    timestamp(6) NOT NULL,
    deleted       boolean NOT NULL DEFAULT false,
    deleted_at    timestamp(6),
    UNIQUE (container_id, name, url)
);
CREATE INDEX container_consumers_project ON container_consumers (project_id) WHERE NOT deleted;

CREATE TABLE orders (
    id                     uuid PRIMARY KEY,
    project_id             varchar(255) NOT NULL REFERENCES projects (id),
    type                   varchar(255) NOT NULL,
    -- The request's meta as JSON text, without any passphrase.
    meta                   text NOT NULL,
    -- An asymmetric order's passphrase, encrypted under the project key.
    passphrase_ciphertext  bytea,
    status                 varchar(20) NOT NULL DEFAULT 'PENDING',
    creator_id             varchar(255),
    secret_id              uuid,
    container_id           uuid,
    sub_status             varchar(36),
    sub_status_message     varchar(255),
    error_status_code      varchar(16),
    error_reason           varchar(255),
    lease_owner            varchar(255),
    lease_expires_at       timestamp(6),
    attempts               integer NOT NULL DEFAULT 0,
    created_at             timestamp(6) NOT NULL,
    updated_at             timestamp(6) NOT NULL,
    deleted                boolean NOT NULL DEFAULT false,
    deleted_at             timestamp(6)
);
CREATE INDEX orders_project_created ON orders (project_id, created_at) WHERE NOT deleted;
CREATE INDEX orders_pending ON orders (created_at) WHERE status = 'PENDING';

CREATE TABLE project_quotas (
    project_id  varchar(255) PRIMARY KEY,
    secrets     integer,
    orders      integer,
    containers  integer,
    consumers   integer,
    cas         integer,
    created_at  timestamp(6) NOT NULL,
    updated_at  timestamp(6) NOT NULL
);

CREATE TABLE transport_keys (
    id             uuid PRIMARY KEY,
    plugin_name    varchar(255) NOT NULL,
    transport_key  text NOT NULL,
    status         varchar(20) NOT NULL DEFAULT 'ACTIVE',
    created_at     timestamp(6) NOT NULL,
    updated_at     timestamp(6) NOT NULL,
    deleted        boolean NOT NULL DEFAULT false,
    deleted_at     timestamp(6)
);
