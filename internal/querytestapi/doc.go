// Package querytestapi is generated from a synthetic Query model
// (internal/apigen/testdata/querytest.json) that has what the AWS models' outputs do not:
// flattened lists, renamed members and list members, lists of lists and of maps, maps of
// lists, maps and structures, floats and recursive structures. The tests hold its generated
// Query encoders to the reflective one.
package querytestapi

//go:generate go run ../apigen -model ../apigen/testdata/querytest.json -pkg querytestapi
