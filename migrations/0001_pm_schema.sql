-- 0001_pm_schema: the pm_ tables of the project-management plugin (docs/domain.md).
--
-- Ids are TEXT UUIDs, times INTEGER Unix seconds, deleted_at NULL means live. The host's
-- `users` table is referenced, never created or altered here. Every user reference that the
-- domain draws as a foreign key uses ON DELETE SET NULL unless the domain says otherwise, so
-- the host can always delete one of its users. No STRICT tables or other recent syntax: the
-- host may open this file with an older SQLite.

CREATE TABLE pm_projects (
  id TEXT PRIMARY KEY NOT NULL,
  title TEXT NOT NULL,
  description TEXT,
  key TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  version INTEGER NOT NULL DEFAULT 1,
  next_work_item_number INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  created_by TEXT,
  updated_by TEXT,
  deleted_at INTEGER
);

CREATE TABLE pm_sprints (
  id TEXT PRIMARY KEY NOT NULL,
  project_id TEXT NOT NULL REFERENCES pm_projects (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  goal TEXT,
  start_date INTEGER NOT NULL,
  end_date INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'planned'
    CHECK (status IN ('planned', 'active', 'completed', 'cancelled')),
  velocity INTEGER,
  version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  created_by TEXT,
  updated_by TEXT,
  deleted_at INTEGER
);

CREATE TABLE pm_work_items (
  id TEXT PRIMARY KEY NOT NULL,
  item_type TEXT NOT NULL CHECK (item_type IN ('epic', 'story', 'task')),
  parent_id TEXT REFERENCES pm_work_items (id) ON DELETE SET NULL,
  project_id TEXT NOT NULL REFERENCES pm_projects (id) ON DELETE CASCADE,
  position INTEGER NOT NULL DEFAULT 0,
  title TEXT NOT NULL,
  description TEXT,
  status TEXT NOT NULL DEFAULT 'backlog'
    CHECK (status IN ('backlog', 'todo', 'in_progress', 'review', 'done')),
  priority TEXT NOT NULL DEFAULT 'medium'
    CHECK (priority IN ('critical', 'high', 'medium', 'low')),
  story_points INTEGER,
  assignee_id TEXT REFERENCES users (id) ON DELETE SET NULL,
  sprint_id TEXT REFERENCES pm_sprints (id) ON DELETE SET NULL,
  item_number INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  created_by TEXT,
  updated_by TEXT,
  deleted_at INTEGER,
  -- Also the (project_id, item_number) index: KEY-N lookups and project scans use it.
  UNIQUE (project_id, item_number)
);

CREATE TABLE pm_comments (
  id TEXT PRIMARY KEY NOT NULL,
  work_item_id TEXT NOT NULL REFERENCES pm_work_items (id) ON DELETE CASCADE,
  content TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
  updated_by TEXT REFERENCES users (id) ON DELETE SET NULL,
  deleted_at INTEGER
);

CREATE TABLE pm_time_entries (
  id TEXT PRIMARY KEY NOT NULL,
  work_item_id TEXT NOT NULL REFERENCES pm_work_items (id) ON DELETE CASCADE,
  user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  duration_seconds INTEGER,
  description TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
);

CREATE TABLE pm_dependencies (
  id TEXT PRIMARY KEY NOT NULL,
  blocking_item_id TEXT NOT NULL REFERENCES pm_work_items (id) ON DELETE CASCADE,
  blocked_item_id TEXT NOT NULL REFERENCES pm_work_items (id) ON DELETE CASCADE,
  dependency_type TEXT NOT NULL DEFAULT 'blocks'
    CHECK (dependency_type IN ('blocks', 'relates_to')),
  created_at INTEGER NOT NULL,
  created_by TEXT,
  deleted_at INTEGER,
  CHECK (blocking_item_id <> blocked_item_id),
  UNIQUE (blocking_item_id, blocked_item_id)
);

-- History outlives the users it names, so user_id is a plain value, not a foreign key.
CREATE TABLE pm_activity_log (
  id TEXT PRIMARY KEY NOT NULL,
  entity_type TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  action TEXT NOT NULL,
  field_name TEXT,
  old_value TEXT,
  new_value TEXT,
  user_id TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  comment TEXT
);

CREATE TABLE pm_swim_lanes (
  id TEXT PRIMARY KEY NOT NULL,
  project_id TEXT NOT NULL REFERENCES pm_projects (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  status_value TEXT NOT NULL,
  position INTEGER NOT NULL DEFAULT 0,
  is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER,
  UNIQUE (project_id, status_value)
);

CREATE TABLE pm_project_members (
  id TEXT PRIMARY KEY NOT NULL,
  project_id TEXT NOT NULL REFERENCES pm_projects (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
  created_at INTEGER NOT NULL,
  UNIQUE (project_id, user_id)
);

CREATE TABLE pm_idempotency_keys (
  message_id TEXT PRIMARY KEY NOT NULL,
  operation TEXT NOT NULL,
  result_json TEXT,
  created_at INTEGER NOT NULL
);

CREATE TABLE pm_llm_context (
  id TEXT PRIMARY KEY NOT NULL,
  context_type TEXT NOT NULL
    CHECK (context_type IN ('schema_doc', 'query_pattern', 'business_rule', 'example', 'instruction')),
  category TEXT,
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  example_sql TEXT,
  example_description TEXT,
  priority INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
);

-- Indexes serve live rows only, so they are partial. The UNIQUE constraints above keep their
-- full indexes: uniqueness has to hold for soft-deleted rows too.
CREATE INDEX pm_work_items_project_idx ON pm_work_items (project_id) WHERE deleted_at IS NULL;
CREATE INDEX pm_work_items_sprint_idx ON pm_work_items (sprint_id) WHERE deleted_at IS NULL;
CREATE INDEX pm_work_items_assignee_idx ON pm_work_items (assignee_id) WHERE deleted_at IS NULL;
CREATE INDEX pm_work_items_parent_idx ON pm_work_items (parent_id) WHERE deleted_at IS NULL;
CREATE INDEX pm_work_items_status_idx ON pm_work_items (status) WHERE deleted_at IS NULL;
CREATE INDEX pm_work_items_type_idx ON pm_work_items (item_type) WHERE deleted_at IS NULL;
CREATE INDEX pm_sprints_project_idx ON pm_sprints (project_id) WHERE deleted_at IS NULL;
CREATE INDEX pm_comments_work_item_idx ON pm_comments (work_item_id) WHERE deleted_at IS NULL;
CREATE INDEX pm_time_entries_work_item_idx ON pm_time_entries (work_item_id)
  WHERE deleted_at IS NULL;
CREATE INDEX pm_time_entries_running_idx ON pm_time_entries (user_id)
  WHERE ended_at IS NULL AND deleted_at IS NULL;
CREATE INDEX pm_dependencies_blocked_idx ON pm_dependencies (blocked_item_id)
  WHERE deleted_at IS NULL;
CREATE INDEX pm_activity_log_entity_idx ON pm_activity_log (entity_type, entity_id);
CREATE INDEX pm_activity_log_user_idx ON pm_activity_log (user_id);
CREATE INDEX pm_activity_log_timestamp_idx ON pm_activity_log (timestamp);
CREATE INDEX pm_llm_context_type_idx ON pm_llm_context (context_type) WHERE deleted_at IS NULL;
CREATE INDEX pm_llm_context_category_idx ON pm_llm_context (category) WHERE deleted_at IS NULL;
CREATE INDEX pm_llm_context_priority_idx ON pm_llm_context (priority DESC)
  WHERE deleted_at IS NULL;
