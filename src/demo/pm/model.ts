import type { Staff } from '../platform/people.js';
import type { ProjectSpec } from '../profiles.js';

/** Work item statuses in the order an item moves through them. */
export const STATUSES = ['backlog', 'todo', 'in_progress', 'review', 'done'] as const;

/** A work item status. */
export type Status = (typeof STATUSES)[number];

/** A project member as the generators see it. */
export interface Member {
  user: Staff;
  role: 'viewer' | 'editor' | 'admin';
}

/** A demo project and the people who may act on it. */
export interface Project {
  id: string;
  spec: ProjectSpec;
  createdAt: number;
  createdBy: string;
  members: Member[];
  /** Members who can edit: they create, assign and log time. */
  editors: Staff[];
}

/** A sprint of a project. */
export interface Sprint {
  id: string;
  projectId: string;
  name: string;
  start: number;
  end: number;
  status: 'planned' | 'active' | 'completed' | 'cancelled';
}

/** A work item before it becomes a row. */
export interface WorkItem {
  id: string;
  project: Project;
  type: 'epic' | 'story' | 'task';
  parent: WorkItem | null;
  position: number;
  title: string;
  status: Status;
  points: number | null;
  sprint: Sprint | null;
  assigneeId: string | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
  /** Filled in once the project's items are known, in creation order. */
  number: number;
}

/** The index of a status in the usual flow: how many moves it took to get there. */
export function statusSteps(status: Status): number {
  return STATUSES.indexOf(status);
}
