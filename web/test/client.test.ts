import { test } from "node:test";
import assert from "node:assert/strict";
import { Client, readsStdin, splitArgs } from "../src/api/client.js";

function answering(status: number, body: string): typeof fetch {
  return (async () => new Response(body, { status })) as typeof fetch;
}

test("apply shows every document's result when all documents failed (422)", async () => {
  const body = JSON.stringify({ results: [{ index: 0, line: 1, outcome: "error", status: { code: 422, message: "invalid" } }] });
  const got = await new Client("default", answering(422, body)).apply("kind: x\n");
  assert.equal(got.results.length, 1);
  assert.equal(got.results[0].status?.message, "invalid");
});

test("apply shows every document's result when some failed (207)", async () => {
  const body = JSON.stringify({ results: [{ index: 0, line: 1, outcome: "created" }, { index: 1, line: 5, outcome: "error" }] });
  const got = await new Client("default", answering(207, body)).apply("a\n---\nb\n");
  assert.equal(got.results.length, 2);
});

test("apply still fails on an answer without results", async () => {
  await assert.rejects(new Client("default", answering(403, JSON.stringify({ message: "no" }))).apply("a\n"), /403: no/);
});

test("readsStdin knows every spelling of -f - and nothing else", () => {
  for (const line of ["create -f -", "apply --filename -", "create -f=-", "create -f-", "apply --filename=- -n x"]) {
    assert.equal(readsStdin(splitArgs(line)), true, line);
  }
  for (const line of ["create -f hello-deployment.yaml", "get pods", "delete pod -", "create -n - x"]) {
    assert.equal(readsStdin(splitArgs(line)), false, line);
  }
});
