package iam

// IAM temporary delegation (2025): CreateDelegationRequest, GetDelegationRequest,
// ListDelegationRequests, AssociateDelegationRequest, UpdateDelegationRequest,
// AcceptDelegationRequest, RejectDelegationRequest and SendDelegationToken, and
// GetHumanReadableSummary (whose only entity type is a delegation request), are left
// NotImplemented on purpose.
//
// The lifecycle itself is documented (IAM User Guide, "Building your integration":
// UNASSIGNED -> ASSIGNED -> PENDING_APPROVAL -> ACCEPTED -> FINALIZED, or REJECTED/EXPIRED),
// but everything a request carries comes from outside IAM's API:
//   - CreateDelegationRequest "is not available for general use": only partners onboarded
//     through the ISV Accelerate program may call it, and its Permissions name a
//     PolicyTemplateArn "that maps to a pre-registered policy content for this partner".
//     Templates are registered with AWS by e-mail; no API creates one, so the
//     PermissionPolicy a request shows customers cannot be rendered locally.
//   - SendDelegationToken delivers the exchange token to the partner's SNS topic, and the
//     partner trades it for credentials outside IAM.
//   - GetHumanReadableSummary asks a large language model to describe the request.
// Without CreateDelegationRequest no request could ever exist, so every other operation
// would only ever answer NoSuchEntity; NotImplemented says more truthfully what is missing.
