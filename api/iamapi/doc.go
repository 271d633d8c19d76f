// Package iamapi holds the wire types, handler interface, error constructors and Query XML
// encoders generated from the official iam API model (internal/awsdata/models/iam.json).
package iamapi

//go:generate go run ../../internal/apigen -model ../../internal/awsdata/models/iam.json -pkg iamapi
