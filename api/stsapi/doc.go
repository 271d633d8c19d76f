// Package stsapi holds the wire types, handler interface and error constructors generated from
// the official sts API model (../shared/data/aws-models/sts.json).
package stsapi

//go:generate go run ../../internal/apigen -model ../../../shared/data/aws-models/sts.json -pkg stsapi
