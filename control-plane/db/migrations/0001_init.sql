-- Initial control-plane schema. Plain SQL that runs unchanged on PostgreSQL and PGlite (no extensions).
-- Money is integer micro-USD (bigint); prices are micro-USD per 1M tokens.

create table admin_tokens (
  id          text primary key,
  token_hash  text not null unique,
  created_at  timestamptz not null default now()
);

create table tenants (
  id          text primary key,
  name        text not null unique,
  status      text not null default 'active' check (status in ('active', 'disabled')),
  created_at  timestamptz not null default now()
);

create table gateway_keys (
  id              text primary key,
  tenant_id       text not null references tenants(id),
  name            text not null,
  prefix          text not null,
  key_hash        text not null unique,
  status          text not null default 'active' check (status in ('active', 'revoked')),
  created_at      timestamptz not null default now(),
  expires_at      timestamptz,
  revoked_at      timestamptz,
  allowed_aliases text[]
);
create index gateway_keys_tenant_idx on gateway_keys (tenant_id);

create table deployments (
  id              text primary key,
  provider        text not null,
  base_url        text not null,
  model           text not null,
  region          text not null,
  credential_ref  text not null,
  created_at      timestamptz not null default now()
);

create table aliases (
  name        text primary key,
  created_at  timestamptz not null default now()
);

create table alias_deployments (
  alias_name     text not null references aliases(name) on delete cascade,
  position       integer not null,
  deployment_id  text not null references deployments(id),
  primary key (alias_name, position)
);

create table prices (
  provider                   text not null,
  model                      text not null,
  input_micros               bigint not null check (input_micros >= 0),
  output_micros              bigint not null check (output_micros >= 0),
  cached_input_micros        bigint check (cached_input_micros >= 0),
  updated_at                 timestamptz not null default now(),
  primary key (provider, model)
);

create table regions (
  name        text primary key,
  token_hash  text not null unique,
  created_at  timestamptz not null default now()
);

create table proxies (
  id                text primary key,
  region            text not null references regions(name),
  snapshot_version  integer not null,
  last_seen_at      timestamptz not null default now()
);

create table config_versions (
  version     serial primary key,
  created_at  timestamptz not null default now(),
  reason      text not null
);

create table snapshots (
  region      text not null references regions(name),
  version     integer not null,
  jws         text not null,
  created_at  timestamptz not null default now(),
  primary key (region, version)
);

create table audit_log (
  id          bigserial primary key,
  at          timestamptz not null,
  actor       text not null,
  action      text not null,
  target      text not null,
  before      jsonb,
  after       jsonb,
  prev_hash   text not null,
  hash        text not null unique
);

create table usage_events (
  event_id             text primary key,
  time                 timestamptz not null,
  request_id           text not null,
  region               text not null,
  snapshot_version     integer not null,
  tenant_id            text not null,
  key_id               text not null,
  feature_id           text,
  alias                text not null,
  endpoint             text not null,
  provider             text,
  deployment_id        text,
  vendor_model         text,
  stream               boolean not null,
  input_tokens         bigint not null,
  output_tokens        bigint not null,
  cached_input_tokens  bigint not null,
  cache_write_tokens   bigint not null,
  reasoning_tokens     bigint not null,
  cost_micros          bigint not null,
  latency_ms           bigint not null,
  status               text not null,
  error_code           text,
  attempts             integer not null,
  received_at          timestamptz not null default now()
);
create index usage_events_tenant_time_idx on usage_events (tenant_id, time);

create table usage_dead_letters (
  id           bigserial primary key,
  received_at  timestamptz not null default now(),
  region       text not null,
  reason       text not null,
  payload      jsonb
);
