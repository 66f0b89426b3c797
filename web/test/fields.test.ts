import { test } from "node:test";
import assert from "node:assert/strict";
import { fieldOwners, fieldPaths, withoutManagedFields } from "../src/model/fields.js";

test("managedFields read as each manager's field paths, and the object's YAML leaves them out", () => {
  const obj = {
    metadata: {
      name: "web",
      managedFields: [
        { manager: "kubectl", operation: "Apply", apiVersion: "apps/v1beta2", fieldsType: "FieldsV1",
          fieldsV1: { "f:spec": { "f:replicas": {}, "f:template": { "f:spec": { "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {}, "f:name": {} } } } } } } },
        { manager: "kube-controller-manager", operation: "Update", apiVersion: "apps/v1", subresource: "status",
          fieldsV1: { "f:status": { "f:replicas": {}, "f:conditions": { 'k:{"type":"Available"}': { ".": {}, "f:status": {} } } } } },
      ],
    },
    spec: { replicas: 2 },
  };
  const owners = fieldOwners(obj);
  assert.deepEqual(owners.map((o) => [o.manager, o.operation, o.subresource]), [["kubectl", "Apply", undefined], ["kube-controller-manager", "Update", "status"]]);
  assert.deepEqual(owners[0].fields, [".spec.replicas", ".spec.template.spec.containers[name=web].image", ".spec.template.spec.containers[name=web].name"]);
  assert.deepEqual(owners[1].fields, [".status.replicas", ".status.conditions[type=Available].status"]);
  assert.deepEqual(fieldPaths({ "f:data": { ".": {}, "f:a": {} }, "f:finalizers": { "v:kubernetes": {} }, "f:args": { "i:0": {} } }, ""),
    [".data.a", ".finalizers[=kubernetes]", ".args[0]"]);
  assert.deepEqual(withoutManagedFields(obj), { metadata: { name: "web" }, spec: { replicas: 2 } });
  assert.equal(withoutManagedFields(obj.spec), obj.spec);
  assert.deepEqual(fieldOwners({ metadata: {} }), []);
});
