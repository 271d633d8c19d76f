// Package stsapi holds the wire types, handler interface, error constructors and Query XML
// encoders generated from the official sts API model (internal/awsdata/models/sts.json).
package stsapi

//go:generate go run ../../internal/apigen -model ../../internal/awsdata/models/sts.json -pkg stsapi
