// RBAC defaults (kubernetes/pkg/apis/rbac/v1/defaults.go).
//
// A subject names a User, a Group or a ServiceAccount. Users and Groups live
// in the rbac.authorization.k8s.io API group; ServiceAccounts are core ("")
// objects, so their apiGroup stays empty.
package defaults

import rbacv1 "k8s.io/api/rbac/v1"

func roleRef(r *rbacv1.RoleRef) {
	if r.APIGroup == "" {
		r.APIGroup = rbacv1.GroupName
	}
}

func subjects(ss []rbacv1.Subject) {
	for i := range ss {
		s := &ss[i]
		if s.APIGroup != "" {
			continue
		}
		switch s.Kind {
		case rbacv1.UserKind, rbacv1.GroupKind:
			s.APIGroup = rbacv1.GroupName
		case rbacv1.ServiceAccountKind:
			s.APIGroup = ""
		}
	}
}
