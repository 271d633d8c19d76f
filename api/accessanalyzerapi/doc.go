// Package accessanalyzerapi holds the wire types, handler interface and error constructors
// generated from the official accessanalyzer API model (internal/awsdata/models/accessanalyzer.json).
package accessanalyzerapi

//go:generate go run ../../internal/apigen -model ../../internal/awsdata/models/accessanalyzer.json -pkg accessanalyzerapi
