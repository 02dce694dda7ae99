/**
 * The host platform's schema as the demo imagines it. It deliberately carries the shapes a
 * real host file may have and that tenant-mcp must read without tripping: TEXT and INTEGER
 * keys side by side, ISO date strings beside Unix seconds, a BLOB, integers above 2^53, a
 * view, an FTS5 table kept in sync by triggers, a WITHOUT ROWID table, a generated column
 * and names that need quoting. View SQL uses single-quoted literals because this SQLite
 * build refuses double-quoted strings.
 */
export const PLATFORM_SCHEMA = `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'coach', 'assistant')),
  timezone TEXT,
  phone TEXT,
  is_active INTEGER NOT NULL DEFAULT 1,
  last_login_at INTEGER,
  created_at INTEGER NOT NULL
);

CREATE TABLE teams (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  lead_user_id TEXT REFERENCES users (id),
  created_at INTEGER NOT NULL
);

CREATE TABLE team_members (
  team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role TEXT NOT NULL DEFAULT 'member',
  joined_at INTEGER NOT NULL,
  PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;

CREATE TABLE clients (
  id INTEGER PRIMARY KEY,
  full_name TEXT NOT NULL,
  preferred_name TEXT,
  email TEXT,
  phone TEXT,
  company TEXT,
  country TEXT,
  coach_id TEXT REFERENCES users (id),
  status TEXT NOT NULL CHECK (status IN ('lead', 'active', 'paused', 'alumni')),
  avatar BLOB,
  created_at INTEGER NOT NULL,
  updated_at INTEGER
);
CREATE INDEX clients_coach ON clients (coach_id);

CREATE TABLE "client tags" (
  client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  "group" TEXT,
  PRIMARY KEY (client_id, tag)
);

CREATE TABLE programs (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  description TEXT,
  duration_weeks INTEGER,
  price_cents INTEGER NOT NULL,
  currency TEXT NOT NULL,
  is_active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL
);

CREATE TABLE enrollments (
  id INTEGER PRIMARY KEY,
  client_id INTEGER NOT NULL REFERENCES clients (id),
  program_id INTEGER NOT NULL REFERENCES programs (id),
  coach_id TEXT REFERENCES users (id),
  status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'completed', 'cancelled')),
  started_on TEXT NOT NULL,
  ended_on TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX enrollments_client ON enrollments (client_id);

CREATE TABLE coaching_sessions (
  id INTEGER PRIMARY KEY,
  enrollment_id INTEGER REFERENCES enrollments (id),
  client_id INTEGER NOT NULL REFERENCES clients (id),
  coach_id TEXT NOT NULL REFERENCES users (id),
  scheduled_at INTEGER NOT NULL,
  duration_minutes INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('scheduled', 'completed', 'cancelled', 'no_show')),
  channel TEXT NOT NULL,
  rating INTEGER CHECK (rating BETWEEN 1 AND 5),
  created_at INTEGER NOT NULL
);
CREATE INDEX coaching_sessions_client ON coaching_sessions (client_id, scheduled_at);

CREATE TABLE session_notes (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES coaching_sessions (id) ON DELETE CASCADE,
  author_id TEXT NOT NULL REFERENCES users (id),
  body TEXT NOT NULL,
  is_private INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

CREATE VIRTUAL TABLE session_notes_fts USING fts5 (
  body,
  content = 'session_notes',
  content_rowid = 'id'
);
CREATE TRIGGER session_notes_ai AFTER INSERT ON session_notes BEGIN
  INSERT INTO session_notes_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER session_notes_ad AFTER DELETE ON session_notes BEGIN
  INSERT INTO session_notes_fts (session_notes_fts, rowid, body)
  VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER session_notes_au AFTER UPDATE ON session_notes BEGIN
  INSERT INTO session_notes_fts (session_notes_fts, rowid, body)
  VALUES ('delete', old.id, old.body);
  INSERT INTO session_notes_fts (rowid, body) VALUES (new.id, new.body);
END;

CREATE TABLE goals (
  id INTEGER PRIMARY KEY,
  client_id INTEGER NOT NULL REFERENCES clients (id),
  enrollment_id INTEGER REFERENCES enrollments (id),
  title TEXT NOT NULL,
  target_date TEXT,
  status TEXT NOT NULL CHECK (status IN ('open', 'achieved', 'abandoned')),
  progress_pct INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  achieved_at INTEGER
);

CREATE TABLE daily_checkins (
  id INTEGER PRIMARY KEY,
  client_id INTEGER NOT NULL REFERENCES clients (id),
  checkin_date TEXT NOT NULL,
  mood INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5),
  energy INTEGER NOT NULL CHECK (energy BETWEEN 1 AND 5),
  sleep_hours REAL,
  note TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (client_id, checkin_date)
);

CREATE TABLE invoices (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  client_id INTEGER NOT NULL REFERENCES clients (id),
  enrollment_id INTEGER REFERENCES enrollments (id),
  amount_cents INTEGER NOT NULL,
  tax_cents INTEGER NOT NULL DEFAULT 0,
  total_cents INTEGER GENERATED ALWAYS AS (amount_cents + tax_cents) STORED,
  currency TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'paid', 'overdue', 'void')),
  issued_at INTEGER,
  due_on TEXT,
  paid_at INTEGER,
  external_ref INTEGER,
  created_at INTEGER NOT NULL
);

CREATE VIEW active_enrollments AS
SELECT e.id AS enrollment_id, c.id AS client_id, c.full_name AS client_name,
       p.name AS program_name, u.name AS coach_name, e.started_on
FROM enrollments e
JOIN clients c ON c.id = e.client_id
JOIN programs p ON p.id = e.program_id
LEFT JOIN users u ON u.id = e.coach_id
WHERE e.status = 'active';
`;

/** The demo's platform tables, parents before children. */
export const PLATFORM_TABLES = [
  'users',
  'teams',
  'team_members',
  'clients',
  'client tags',
  'programs',
  'enrollments',
  'coaching_sessions',
  'session_notes',
  'goals',
  'daily_checkins',
  'invoices',
] as const;
