// The classroom, as a student's or a teacher's page sees it. In a class
// (`glassplane serve --classroom`) every browser has a sandbox of its own,
// and the teacher can do three things to the pages of the class:
//
//   follow me     every student's page shows the teacher's sandbox, live
//                 and read-only, until the teacher lets go;
//   push a step   every page opens the lesson panel at one lesson's step;
//   look on       a teacher opens a student's sandbox (/?sandbox=ID) and
//                 sees exactly what the student sees, without changing it.
//
// The page learns all three by asking GET /glassplane/v1/classroom every two
// seconds (only on a classroom server: the first answer says so). This file
// holds what the answers mean, as one pure reducer; main.ts asks, switches
// the stream to the sandbox shown, and opens the lessons pushed.
//
// Read-only is the server's rule (it answers 403 to a write on a sandbox
// that is not the session's own); the page only follows it, hiding the
// controls that would write, so that nobody clicks a button to be refused.

import { pickFollow, TraceSummary } from "./story.js";

/** PushedLesson is the step the teacher pushed to the class, and when. */
export interface PushedLesson {
  lesson: string;
  step: number;
  at: string; // RFC 3339: a new time is a new push, even of the same step
}

/** ClassroomAnswer is the body of GET /glassplane/v1/classroom. */
export interface ClassroomAnswer {
  follow: string; // the sandbox the teacher asks the class to watch ("" for none)
  lesson: PushedLesson | null;
  teacher: boolean; // this browser holds the teacher's cookie
  classroom: boolean; // the server runs a class (false on a learner's own machine)
  sandbox?: string; // the session's own sandbox
}

export interface Classroom {
  page: string; // the sandbox the page was opened on (?sandbox=, or "default")
  own: string; // the session's own sandbox, once the server has said ("" before)
  asked: boolean; // an answer has come
  polling: boolean; // ask again: the server runs a class
  teacher: boolean;
  follow: string; // the teacher's sandbox this page follows ("" when it shows its own)
  lessonAt: string; // the push the page last acted on
  pushed?: { lesson: string; step: number }; // a pushed step the page is to open
  name: string; // the display name of the student whose sandbox a teacher views ("" until the roster says)
}

/** RosterEntry is what the page reads of GET /glassplane/v1/classroom/roster (teacher only). */
export interface RosterEntry { sandbox: string; name: string }

export type ClassroomAction =
  | { type: "answer"; answer: ClassroomAnswer }
  | { type: "failed" } // the request failed (a server from before classes: stop asking)
  | { type: "opened" } // the page opened the pushed step
  | { type: "roster"; list: readonly RosterEntry[] }; // the teacher's roster, read while viewing a student

/** pollMs is how often a page in a class asks. */
export const pollMs = 2000;

/** initialClassroom is a page opened on the sandbox `page`; lessonAt is the
 * push this browser already acted on (stored), so a reload does not pull a
 * student back to a step they have moved on from. */
export function initialClassroom(page: string, lessonAt = ""): Classroom {
  return { page, own: "", asked: false, polling: false, teacher: false, follow: "", lessonAt, name: "" };
}

export function applyClassroom(c: Classroom, a: ClassroomAction): Classroom {
  switch (a.type) {
    case "answer": {
      const r = a.answer;
      const own = r.sandbox ?? c.own;
      // Only a student follows: the teacher's own page is what is followed.
      const follow = !r.teacher && r.follow && r.follow !== (own || c.page) ? r.follow : "";
      let n: Classroom = { ...c, own, asked: true, polling: r.classroom, teacher: r.teacher, follow };
      if (r.lesson && r.lesson.at !== c.lessonAt) {
        // A push moves the students' lessons; a teacher looking at a
        // student's sandbox is not to be pulled away from it.
        n = { ...n, lessonAt: r.lesson.at, pushed: viewing(n) ? c.pushed : { lesson: r.lesson.lesson, step: r.lesson.step } };
      }
      return same(c, n) ? c : n;
    }
    case "failed":
      // Once the server said it runs a class, a failure is a dropped
      // connection: keep asking. Before that, it is a server without classes.
      return c.asked ? c : { ...c, asked: true, polling: false };
    case "opened":
      return c.pushed ? { ...c, pushed: undefined } : c;
    case "roster": {
      const name = a.list.find((e) => e.sandbox === c.page)?.name ?? "";
      return name === c.name ? c : { ...c, name };
    }
  }
}

/** shownSandbox is the sandbox whose steps, story and diagram the page shows. */
export function shownSandbox(c: Classroom): string {
  return c.follow || c.page;
}

/** viewing says the page shows a sandbox that is not the session's own,
 * because a teacher opened a student's: writes would be refused. */
export function viewing(c: Classroom): boolean {
  return c.teacher && c.page !== c.own;
}

/** readOnly says the page must not offer to change the sandbox it shows. */
export function readOnly(c: Classroom): boolean {
  return c.follow !== "" || viewing(c);
}

/** wantsRoster says the page should read the roster: a teacher views a
 * student's sandbox and does not know the student's name yet. */
export function wantsRoster(c: Classroom): boolean {
  return viewing(c) && c.name === "";
}

/** Banner is what the page says above everything while it is read-only:
 * for a teacher, whose sandbox it is, by the student's name when known. */
export type Banner = { kind: "following" } | { kind: "viewing"; sandbox: string } | undefined;

export function banner(c: Classroom): Banner {
  if (c.follow) return { kind: "following" };
  if (viewing(c)) return { kind: "viewing", sandbox: c.name ? `${c.name} (${c.page})` : c.page };
  return undefined;
}

const reads = new Set(["get", "list", "watch"]);

/** teacherTrace chooses the teacher's action a following page tells in its
 * story: on the first look (after < 0) the teacher's latest action that
 * changed something (else the latest), so a page that begins to follow
 * sees what the teacher just did; then each action begun after seq. */
export function teacherTrace(list: readonly TraceSummary[], after: number): string {
  if (after >= 0) return pickFollow(list, after);
  const theirs = list.filter((t) => t.learners).sort((a, b) => b.first - a.first);
  return (theirs.find((t) => !reads.has(t.request?.verb ?? "")) ?? theirs[0])?.trace ?? "";
}

function same(a: Classroom, b: Classroom): boolean {
  return a.own === b.own && a.asked === b.asked && a.polling === b.polling && a.teacher === b.teacher &&
    a.follow === b.follow && a.lessonAt === b.lessonAt && a.pushed === b.pushed && a.name === b.name;
}
