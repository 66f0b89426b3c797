// PodDisruptionBudgets: how many of a set of pods may be down at once by
// choice (an eviction, a drain). The columns are kube's: NAME, MIN AVAILABLE,
// MAX UNAVAILABLE, ALLOWED DISRUPTIONS, AGE, with "N/A" for the bound a
// budget does not set.
package printers

import (
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

var pdbColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Min Available", Type: "string", Description: policyv1.PodDisruptionBudgetSpec{}.SwaggerDoc()["minAvailable"]},
	{Name: "Max Unavailable", Type: "string", Description: policyv1.PodDisruptionBudgetSpec{}.SwaggerDoc()["maxUnavailable"]},
	{Name: "Allowed Disruptions", Type: "integer", Description: policyv1.PodDisruptionBudgetStatus{}.SwaggerDoc()["disruptionsAllowed"]},
	ageColumn,
}

func init() {
	register(pdbColumns, printPDB)
}

func printPDB(pdb *policyv1.PodDisruptionBudget) metav1.TableRow {
	return cells(pdb.Name, orNA(pdb.Spec.MinAvailable), orNA(pdb.Spec.MaxUnavailable), int64(pdb.Status.DisruptionsAllowed), age(pdb.CreationTimestamp))
}

func orNA(v *intstr.IntOrString) string {
	if v == nil {
		return "N/A"
	}
	return v.String()
}
