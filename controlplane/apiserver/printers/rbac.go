// RBAC (group rbac.authorization.k8s.io/v1): Roles and ClusterRoles list
// permissions; RoleBindings and ClusterRoleBindings grant a role to users,
// groups and service accounts.
//
// Like kube-apiserver, Roles and ClusterRoles have no printer of their own:
// they get the default NAME / CREATED AT table from table.go.
package printers

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// bindingColumns returns the columns for RoleBindings ("roleBinding") and
// ClusterRoleBindings ("clusterRoleBinding"); only the descriptions differ.
func bindingColumns(kind, roleRefDoc string) []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		nameColumn,
		{Name: "Role", Type: "string", Description: roleRefDoc},
		ageColumn,
		{Name: "Users", Type: "string", Priority: 1, Description: "Users in the " + kind},
		{Name: "Groups", Type: "string", Priority: 1, Description: "Groups in the " + kind},
		{Name: "ServiceAccounts", Type: "string", Priority: 1, Description: "ServiceAccounts in the " + kind},
	}
}

func init() {
	register(bindingColumns("roleBinding", rbacv1.RoleBinding{}.SwaggerDoc()["roleRef"]), printRoleBinding)
	register(bindingColumns("clusterRoleBinding", rbacv1.ClusterRoleBinding{}.SwaggerDoc()["roleRef"]), printClusterRoleBinding)
}

func printRoleBinding(b *rbacv1.RoleBinding) metav1.TableRow {
	return bindingRow(b.ObjectMeta, b.RoleRef, b.Subjects)
}

func printClusterRoleBinding(b *rbacv1.ClusterRoleBinding) metav1.TableRow {
	return bindingRow(b.ObjectMeta, b.RoleRef, b.Subjects)
}

// bindingRow prints e.g. "admins ClusterRole/admin 5m alice ops kube-system/robot".
func bindingRow(m metav1.ObjectMeta, ref rbacv1.RoleRef, subjects []rbacv1.Subject) metav1.TableRow {
	users, groups, serviceAccounts := splitSubjects(subjects)
	return cells(
		m.Name,
		ref.Kind+"/"+ref.Name,
		age(m.CreationTimestamp),
		strings.Join(users, ", "),
		strings.Join(groups, ", "),
		strings.Join(serviceAccounts, ", "),
	)
}

// splitSubjects sorts subjects by kind; service accounts print as "namespace/name".
func splitSubjects(subjects []rbacv1.Subject) (users, groups, serviceAccounts []string) {
	for _, s := range subjects {
		switch s.Kind {
		case rbacv1.UserKind:
			users = append(users, s.Name)
		case rbacv1.GroupKind:
			groups = append(groups, s.Name)
		case rbacv1.ServiceAccountKind:
			serviceAccounts = append(serviceAccounts, fmt.Sprintf("%s/%s", s.Namespace, s.Name))
		}
	}
	return users, groups, serviceAccounts
}
