-- 0002_pm_llm_context_seed: the first guidance rows for models, written for the 0001 schema.
--
-- Ids and times are fixed so this file's checksum never changes. Higher priority sorts
-- first: instructions, then business rules, schema docs, query patterns and examples.
-- Every example_sql is a read-only query that test/migrations/seed.test.ts runs.

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000001', 'instruction', 'safety',
  'Read-only access',
  'You have read-only access to this tenant''s database. Only SELECT statements (including WITH ... SELECT) run. Never try to insert, update, delete or change the schema; if the user wants a change, tell them to make it in the application.',
  NULL,
  NULL,
  100, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000002', 'instruction', 'tools',
  'Look before you query',
  'Call list_tables first to see what this tenant has, then describe_table for each table you plan to use, before writing SQL. The host platform''s tables differ between tenants; do not guess their columns. The pm_ tables follow the schema documented in these rows.',
  NULL,
  NULL,
  95, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000003', 'instruction', 'scope',
  'Project questions use the pm_ tables',
  'Questions about projects, epics, stories, tasks, sprints, blockers, comments or time tracking are answered from the pm_ tables, joined to users (id, email, name) for people. The other tables belong to the coaching platform (clients, sessions, invoices and so on). pm_schema_migrations and pm_idempotency_keys are bookkeeping and hold no project data.',
  NULL,
  NULL,
  90, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000004', 'instruction', 'presentation',
  'Answer the way users see their data',
  'Name work items by their KEY-N number, people by name (or email when the name is empty), and times as dates. Never show UUIDs unless asked. Aggregate or use LIMIT instead of reading whole tables, and say how many rows a list left out.',
  NULL,
  NULL,
  85, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000005', 'business_rule', 'soft_delete',
  'Soft-deleted rows are gone',
  'A row whose deleted_at is not NULL was deleted by a user and no longer exists for anyone. Add deleted_at IS NULL for every pm_ table in the query that has the column, joined tables included: pm_projects, pm_work_items, pm_sprints, pm_comments, pm_time_entries, pm_dependencies, pm_swim_lanes and pm_llm_context. Only report deleted rows when the user asks about deletions.',
  'SELECT COUNT(*) AS live_work_items
FROM pm_work_items
WHERE deleted_at IS NULL',
  'Counts live work items only.',
  80, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000006', 'business_rule', 'work_items',
  'Work items are shown as KEY-N',
  'Users know a work item by its project key, a hyphen and its item_number, for example SPRING-12. item_number is unique within a project. Build the label with p.key || ''-'' || w.item_number. To find SPRING-12, split at the last hyphen and filter on p.key = ''SPRING'' AND w.item_number = 12 (an integer), which uses the (project_id, item_number) index.',
  'SELECT p.key || ''-'' || w.item_number AS item, w.title
FROM pm_work_items AS w
JOIN pm_projects AS p ON p.id = w.project_id
WHERE w.deleted_at IS NULL AND p.deleted_at IS NULL
ORDER BY p.key, w.item_number
LIMIT 20',
  'Lists work items with their KEY-N labels.',
  78, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000007', 'business_rule', 'estimation',
  'Story points are set on tasks only',
  'story_points is set only on work items whose item_type is ''task''. Epics and stories carry no points of their own: their size is the sum of their tasks. Sum points over tasks only, and treat NULL as not estimated, not as zero.',
  NULL,
  NULL,
  74, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000008', 'business_rule', 'time',
  'Times are Unix seconds',
  'Every time column (created_at, updated_at, deleted_at, start_date, end_date, started_at, ended_at, timestamp) holds INTEGER Unix seconds in UTC. Show them with datetime(x, ''unixepoch'') or date(x, ''unixepoch''), and compare them with unixepoch(''now'') or unixepoch(''now'', ''-7 days''). duration_seconds is seconds: divide by 3600.0 for hours.',
  'SELECT name, date(start_date, ''unixepoch'') AS starts, date(end_date, ''unixepoch'') AS ends
FROM pm_sprints
WHERE deleted_at IS NULL AND end_date >= unixepoch(''now'')
ORDER BY start_date',
  'Sprints that have not ended yet, with readable dates.',
  72, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000009', 'business_rule', 'time_tracking',
  'A time entry without ended_at is a running timer',
  'A pm_time_entries row whose ended_at is NULL is a timer that is still running, and its duration_seconds is NULL until it stops. Time logged so far is duration_seconds when set, otherwise COALESCE(ended_at, unixepoch(''now'')) - started_at.',
  NULL,
  NULL,
  70, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000010', 'business_rule', 'dependencies',
  'What counts as a blocker',
  'A pm_dependencies row with dependency_type ''blocks'' means the blocking item must be done before the blocked item can be finished. ''relates_to'' is only a link and blocks nothing. A blocker is open while the dependency row and the blocking item are live and the blocking item''s status is not ''done''.',
  NULL,
  NULL,
  68, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000011', 'business_rule', 'concurrency',
  'version is for optimistic locking',
  'The version column counts edits: it starts at 1 and grows by one with every update, so the application can refuse an edit made against a stale copy. It is not a release or product version, and a high number only means the row was edited often.',
  NULL,
  NULL,
  60, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000012', 'schema_doc', 'projects',
  'pm_projects: projects',
  'One row per project. key is the short unique code (such as SPRING) that prefixes work item numbers; title and description describe it; status is ''active'' or ''archived'' (archived projects are finished: leave them out unless asked). next_work_item_number is the number the next new work item will get. Audit columns: version, created_at, updated_at, created_by, updated_by (user ids); deleted_at marks soft deletion.',
  NULL,
  NULL,
  56, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000013', 'schema_doc', 'work_items',
  'pm_work_items: epics, stories and tasks',
  'One row per work item. item_type is ''epic'', ''story'' or ''task''; parent_id points to the parent item (a story''s epic, a task''s story). project_id is the project; item_number is its number within the project (shown as KEY-N). status moves backlog, todo, in_progress, review, done; ''open'' means any status but done. priority is critical, high, medium or low. story_points (tasks only), assignee_id (users.id), sprint_id (pm_sprints.id, NULL when not planned), position orders items on a board. Audit columns and deleted_at as in every edited table.',
  NULL,
  NULL,
  55, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000014', 'schema_doc', 'sprints',
  'pm_sprints: time-boxed iterations',
  'One row per sprint of a project (project_id). name and goal describe it; start_date and end_date are Unix seconds. status is planned, active, completed or cancelled; normally one sprint per project is active. velocity is the story points completed, recorded when the sprint closes. Work items join through pm_work_items.sprint_id.',
  NULL,
  NULL,
  54, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000015', 'schema_doc', 'comments',
  'pm_comments: discussion on work items',
  'One row per comment on a work item (work_item_id). content is the text; created_by and updated_by are users.id; created_at and updated_at are Unix seconds; deleted_at marks soft deletion.',
  NULL,
  NULL,
  52, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000016', 'schema_doc', 'time_tracking',
  'pm_time_entries: time logged on work items',
  'One row per stretch of work on a work item (work_item_id) by a user (user_id, users.id). started_at and ended_at are Unix seconds; ended_at is NULL while the timer runs. duration_seconds is set when the timer stops or the entry is entered by hand. description says what was done.',
  NULL,
  NULL,
  52, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000017', 'schema_doc', 'dependencies',
  'pm_dependencies: links between work items',
  'One row per link from blocking_item_id to blocked_item_id (both pm_work_items.id, never the same item, each pair at most once). dependency_type is ''blocks'' or ''relates_to''. created_at, created_by and deleted_at as usual.',
  NULL,
  NULL,
  50, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000018', 'schema_doc', 'activity',
  'pm_activity_log: history of changes',
  'Append-only history. Each row says that user_id did action to the entity identified by entity_type and entity_id at timestamp (Unix seconds); for field changes, field_name, old_value and new_value hold the change as text, and comment an optional note. Rows are never soft-deleted. Check the distinct entity_type and action values before filtering on them.',
  NULL,
  NULL,
  48, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000019', 'schema_doc', 'boards',
  'pm_swim_lanes: board columns',
  'The columns of a project''s board (project_id). name is the label shown, status_value the work item status the column holds (unique per project), position the left-to-right order, is_default 1 for the lane new items land in.',
  NULL,
  NULL,
  46, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000020', 'schema_doc', 'membership',
  'pm_project_members: who may work on a project',
  'One row per user (user_id, users.id) per project (project_id) with role ''viewer'', ''editor'' or ''admin''. Use it to answer who is on a project; assignees are usually members.',
  NULL,
  NULL,
  46, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000021', 'query_pattern', 'work_items',
  'Work items by status in a project',
  'Counts the live work items of one project per status, in workflow order. Replace SPRING with the project key.',
  'SELECT w.status, COUNT(*) AS items
FROM pm_work_items AS w
JOIN pm_projects AS p ON p.id = w.project_id
WHERE p.key = ''SPRING'' AND p.deleted_at IS NULL AND w.deleted_at IS NULL
GROUP BY w.status
ORDER BY CASE w.status WHEN ''backlog'' THEN 1 WHEN ''todo'' THEN 2 WHEN ''in_progress'' THEN 3
  WHEN ''review'' THEN 4 ELSE 5 END',
  'One row per status with its item count for project SPRING.',
  40, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000022', 'query_pattern', 'work_items',
  'Look up a work item by KEY-N',
  'Finds one work item from the label users quote, such as SPRING-12: filter on the key and the number separately.',
  'SELECT p.key || ''-'' || w.item_number AS item, w.item_type, w.title, w.status, w.priority,
  w.story_points, u.name AS assignee, datetime(w.updated_at, ''unixepoch'') AS updated
FROM pm_work_items AS w
JOIN pm_projects AS p ON p.id = w.project_id
LEFT JOIN users AS u ON u.id = w.assignee_id
WHERE p.key = ''SPRING'' AND w.item_number = 12
  AND p.deleted_at IS NULL AND w.deleted_at IS NULL',
  'The details of SPRING-12, with the assignee''s name.',
  39, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000023', 'query_pattern', 'dependencies',
  'Open blockers of a work item',
  'Lists what still blocks one work item: live ''blocks'' dependencies whose blocking item is not done.',
  'SELECT bp.key || ''-'' || b.item_number AS blocker, b.title, b.status, u.name AS assignee
FROM pm_work_items AS w
JOIN pm_projects AS p ON p.id = w.project_id
JOIN pm_dependencies AS d ON d.blocked_item_id = w.id
JOIN pm_work_items AS b ON b.id = d.blocking_item_id
JOIN pm_projects AS bp ON bp.id = b.project_id
LEFT JOIN users AS u ON u.id = b.assignee_id
WHERE p.key = ''SPRING'' AND w.item_number = 12
  AND d.dependency_type = ''blocks'' AND b.status <> ''done''
  AND p.deleted_at IS NULL AND w.deleted_at IS NULL AND d.deleted_at IS NULL
  AND b.deleted_at IS NULL AND bp.deleted_at IS NULL',
  'Each open blocker of SPRING-12 with its status and assignee.',
  38, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000024', 'query_pattern', 'time_tracking',
  'Time logged per person',
  'Sums the hours each person logged in the last 7 days, counting running timers up to now.',
  'SELECT COALESCE(u.name, u.email, t.user_id) AS person,
  ROUND(SUM(COALESCE(t.duration_seconds,
    COALESCE(t.ended_at, unixepoch(''now'')) - t.started_at)) / 3600.0, 2) AS hours
FROM pm_time_entries AS t
JOIN pm_work_items AS w ON w.id = t.work_item_id
LEFT JOIN users AS u ON u.id = t.user_id
WHERE t.started_at >= unixepoch(''now'', ''-7 days'')
  AND t.deleted_at IS NULL AND w.deleted_at IS NULL
GROUP BY t.user_id
ORDER BY hours DESC',
  'Hours per person over the last week, most first.',
  36, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000025', 'query_pattern', 'sprints',
  'Progress of the active sprint',
  'Shows the active sprint of a project with its item count, items done, and story points planned and done (tasks only).',
  'SELECT s.name, s.goal, date(s.start_date, ''unixepoch'') AS starts,
  date(s.end_date, ''unixepoch'') AS ends, COUNT(w.id) AS items,
  COALESCE(SUM(w.status = ''done''), 0) AS done_items,
  SUM(CASE WHEN w.item_type = ''task'' THEN w.story_points END) AS points,
  SUM(CASE WHEN w.item_type = ''task'' AND w.status = ''done'' THEN w.story_points END) AS done_points
FROM pm_sprints AS s
JOIN pm_projects AS p ON p.id = s.project_id
LEFT JOIN pm_work_items AS w ON w.sprint_id = s.id AND w.deleted_at IS NULL
WHERE p.key = ''SPRING'' AND s.status = ''active''
  AND s.deleted_at IS NULL AND p.deleted_at IS NULL
GROUP BY s.id',
  'One row for SPRING''s active sprint; no row when none is active.',
  35, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000026', 'query_pattern', 'time_tracking',
  'Timers running now',
  'Lists time entries whose timer is still running, oldest first, with how long they have run.',
  'SELECT p.key || ''-'' || w.item_number AS item, w.title, COALESCE(u.name, u.email) AS person,
  datetime(t.started_at, ''unixepoch'') AS started,
  (unixepoch(''now'') - t.started_at) / 60 AS minutes_running
FROM pm_time_entries AS t
JOIN pm_work_items AS w ON w.id = t.work_item_id
JOIN pm_projects AS p ON p.id = w.project_id
LEFT JOIN users AS u ON u.id = t.user_id
WHERE t.ended_at IS NULL
  AND t.deleted_at IS NULL AND w.deleted_at IS NULL AND p.deleted_at IS NULL
ORDER BY t.started_at',
  'Running timers across all projects.',
  34, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000027', 'query_pattern', 'work_items',
  'Open work assigned to a person',
  'Lists the open work items assigned to one user in active projects, most urgent first. Find the user by email or name in users.',
  'SELECT p.key || ''-'' || w.item_number AS item, w.title, w.status, w.priority
FROM pm_work_items AS w
JOIN pm_projects AS p ON p.id = w.project_id
JOIN users AS u ON u.id = w.assignee_id
WHERE u.email = ''coach@example.com'' AND w.status <> ''done'' AND p.status = ''active''
  AND w.deleted_at IS NULL AND p.deleted_at IS NULL
ORDER BY CASE w.priority WHEN ''critical'' THEN 1 WHEN ''high'' THEN 2 WHEN ''medium'' THEN 3 ELSE 4 END,
  p.key, w.item_number',
  'Open items of coach@example.com by priority.',
  32, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000028', 'query_pattern', 'work_items',
  'Progress of each epic',
  'Counts the direct children of every epic in a project and how many are done. Tasks sit under stories, so go one level further for task counts.',
  'SELECT p.key || ''-'' || e.item_number AS epic, e.title, COUNT(c.id) AS children,
  COALESCE(SUM(c.status = ''done''), 0) AS done_children
FROM pm_work_items AS e
JOIN pm_projects AS p ON p.id = e.project_id
LEFT JOIN pm_work_items AS c ON c.parent_id = e.id AND c.deleted_at IS NULL
WHERE p.key = ''SPRING'' AND e.item_type = ''epic''
  AND e.deleted_at IS NULL AND p.deleted_at IS NULL
GROUP BY e.id
ORDER BY e.item_number',
  'One row per epic of SPRING with its children done and total.',
  30, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000029', 'example', 'dependencies',
  'Example: which items are blocked right now?',
  'Question: "What is stuck in SPRING?" Approach: take the project''s open items, join their live ''blocks'' dependencies to blocking items that are not done, and count blockers per item. Answer with KEY-N, title and the number of open blockers, then offer to list the blockers of any one item.',
  'SELECT p.key || ''-'' || w.item_number AS item, w.title, COUNT(*) AS open_blockers
FROM pm_work_items AS w
JOIN pm_projects AS p ON p.id = w.project_id
JOIN pm_dependencies AS d ON d.blocked_item_id = w.id
  AND d.dependency_type = ''blocks'' AND d.deleted_at IS NULL
JOIN pm_work_items AS b ON b.id = d.blocking_item_id
  AND b.status <> ''done'' AND b.deleted_at IS NULL
WHERE p.key = ''SPRING'' AND w.status <> ''done''
  AND w.deleted_at IS NULL AND p.deleted_at IS NULL
GROUP BY w.id
ORDER BY open_blockers DESC, w.item_number',
  'Blocked open items of SPRING with their count of open blockers.',
  20, 1764547200, 1764547200
);

INSERT INTO pm_llm_context
  (id, context_type, category, title, content, example_sql, example_description, priority,
   created_at, updated_at)
VALUES (
  '5e7d0a1c-3b2f-4c6e-9a10-000000000030', 'example', 'time_tracking',
  'Example: who worked most on a project this month?',
  'Question: "Who has put the most time into SPRING this month?" Approach: sum time entries on the project''s live work items that started since the start of the month, counting running timers up to now, grouped by person. Answer in hours with one decimal.',
  'SELECT COALESCE(u.name, u.email, t.user_id) AS person,
  ROUND(SUM(COALESCE(t.duration_seconds,
    COALESCE(t.ended_at, unixepoch(''now'')) - t.started_at)) / 3600.0, 1) AS hours
FROM pm_time_entries AS t
JOIN pm_work_items AS w ON w.id = t.work_item_id
JOIN pm_projects AS p ON p.id = w.project_id
LEFT JOIN users AS u ON u.id = t.user_id
WHERE p.key = ''SPRING'' AND t.started_at >= unixepoch(''now'', ''start of month'')
  AND t.deleted_at IS NULL AND w.deleted_at IS NULL AND p.deleted_at IS NULL
GROUP BY t.user_id
ORDER BY hours DESC
LIMIT 5',
  'The five people with the most hours on SPRING this month.',
  18, 1764547200, 1764547200
);
