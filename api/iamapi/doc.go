// Package iamapi holds the wire types, handler interface and error constructors generated from
// the official iam API model (../shared/data/aws-models/iam.json).
package iamapi

//go:generate go run ../../internal/apigen -model ../../../shared/data/aws-models/iam.json -pkg iamapi
