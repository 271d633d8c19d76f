package lint

import "strings"

// Two actions are checked for how broadly a statement allows them: iam:PassRole (security
// warnings) and iam:CreateServiceLinkedRole (general warnings). Each has one check per shape:
// the action named or covered by a wildcard or by NotAction, on resources given by wildcards or
// by NotResource.

type sensitiveAction struct {
	action string
	prefix string // the issue codes' prefix: PASS_ROLE, CREATE_SLR
	typ    FindingType
	anchor string // the sections' anchor prefix
	// texts are the findingDetails by shape (the reference's wording; its PassRole
	// NotAction-and-NotResource text has the doubled period AWS prints).
	texts map[string]string
}

// The statement shapes, as the issue codes name them.
const (
	shapeStarInResource          = "WITH_STAR_IN_RESOURCE"
	shapeStarInActionAndResource = "WITH_STAR_IN_ACTION_AND_RESOURCE"
	shapeNotResource             = "WITH_NOT_RESOURCE"
	shapeStarInActionNotResource = "WITH_STAR_IN_ACTION_AND_NOT_RESOURCE"
	shapeNotActionNotResource    = "WITH_NOT_ACTION_AND_NOT_RESOURCE"
	shapeStarInResourceNotAction = "WITH_STAR_IN_RESOURCE_AND_NOT_ACTION"
)

func sensitiveActions() []sensitiveAction {
	return []sensitiveAction{
		{action: "iam:PassRole", prefix: "PASS_ROLE", typ: SecurityWarning, anchor: "security-warning-pass-role-", texts: map[string]string{
			shapeStarInResource:          "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.",
			shapeStarInActionAndResource: "Using wildcards (*) in the action and the resource can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.",
			shapeNotResource:             "Using the iam:PassRole action with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
			shapeStarInActionNotResource: "Using an action with a wildcard (*) and NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
			shapeNotActionNotResource:    "Using NotAction with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources.. We recommend that you specify resource ARNs instead.",
			shapeStarInResourceNotAction: "Using a resource with wildcards (*) and NotAction can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.",
		}},
		{action: "iam:CreateServiceLinkedRole", prefix: "CREATE_SLR", typ: Warning, anchor: "general-warning-create-slr-", texts: map[string]string{
			shapeStarInResource:          "Using the iam:CreateServiceLinkedRole action with wildcards (*) in the resource can allow creation of unintended service-linked roles. We recommend that you specify resource ARNs instead.",
			shapeStarInActionAndResource: "Using wildcards (*) in the action and the resource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead.",
			shapeNotResource:             "Using the iam:CreateServiceLinkedRole action with NotResource can allow creation of unintended service-linked roles for multiple resources. We recommend that you specify resource ARNs instead.",
			shapeStarInActionNotResource: "Using an action with a wildcard(*) and NotResource can allow creation of unintended service-linked roles because it can allow iam:CreateServiceLinkedRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
			shapeNotActionNotResource:    "Using NotAction with NotResource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
			shapeStarInResourceNotAction: "Using a resource with wildcards (*) and NotAction can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead.",
		}},
	}
}

// sensitiveIssues are the issues of the sensitive actions, for the issue index.
func sensitiveIssues() []issue {
	var out []issue
	for _, s := range sensitiveActions() {
		for shape, text := range s.texts {
			slug := strings.ToLower(strings.ReplaceAll(shape, "_", "-"))
			out = append(out, issue{code: s.prefix + "_" + shape, typ: s.typ, anchor: s.anchor + slug, text: text})
		}
	}
	return out
}

// sensitiveActions reports Allow statements that give a sensitive action on many resources.
func (c *checker) sensitiveActions(st *statement) {
	if st.effect != "Allow" || st.action == nil || st.resource == nil {
		return
	}
	for _, s := range sensitiveActions() {
		shape, locs := c.sensitiveShape(st, s.action)
		if shape == "" {
			continue
		}
		// The condition key AWS's texts recommend narrows PassRole to one service.
		if s.action == "iam:PassRole" && st.hasPassedToServiceCond && (shape == shapeStarInResource || shape == shapeStarInActionAndResource || shape == shapeStarInResourceNotAction) {
			continue
		}
		c.add(s.prefix+"_"+shape, locs)
	}
}

// sensitiveShape is how a statement covers action on broad resources, "" when it does not.
func (c *checker) sensitiveShape(st *statement, action string) (string, []Location) {
	var viaAction string // "named", "star" or "not"
	var actionLoc Location
	if st.action.not {
		for _, v := range st.action.values {
			if globMatch(strings.ToLower(v.text), strings.ToLower(action)) {
				return "", nil // excluded
			}
		}
		viaAction, actionLoc = "not", c.atKey(st.path, st.action.member)
	}
	for _, v := range st.action.values {
		if st.action.not {
			break
		}
		switch {
		case strings.EqualFold(v.text, action):
			viaAction, actionLoc = "named", c.at(v.path, v.n)
		case strings.ContainsAny(v.text, "*?") && globMatch(strings.ToLower(v.text), strings.ToLower(action)) && viaAction == "":
			viaAction, actionLoc = "star", c.at(v.path, v.n)
		}
	}
	if viaAction == "" {
		return "", nil
	}
	if st.resource.not {
		loc := c.atKey(st.path, st.resource.member)
		switch viaAction {
		case "named":
			return shapeNotResource, []Location{loc}
		case "star":
			return shapeStarInActionNotResource, []Location{actionLoc, loc}
		}
		return shapeNotActionNotResource, []Location{actionLoc, loc}
	}
	for _, r := range st.resource.values {
		if !anyRole(r.text) {
			continue
		}
		loc := c.at(r.path, r.n)
		switch viaAction {
		case "named":
			return shapeStarInResource, []Location{loc}
		case "star":
			return shapeStarInActionAndResource, []Location{actionLoc, loc}
		}
		return shapeStarInResourceNotAction, []Location{actionLoc, loc}
	}
	return "", nil
}

// anyRole reports a resource that names roles by a wildcard that does not start with a name:
// "*", arn:aws:iam::*:*, arn:aws:iam::123456789012:role/*. The check reference says a role name
// of a service's convention (role/Service*) may not be reported, so a wildcard after the start
// of the name is not.
func anyRole(resource string) bool {
	if resource == "*" {
		return true
	}
	rest := arnResource(resource)
	if rest == "" || !strings.HasPrefix(strings.ToLower(resource), "arn:") {
		return false
	}
	if strings.HasPrefix(rest, "*") || strings.HasPrefix(rest, "?") {
		return true
	}
	name, ok := strings.CutPrefix(rest, "role/")
	return ok && (strings.HasPrefix(name, "*") || strings.HasPrefix(name, "?"))
}
