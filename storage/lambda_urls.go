package storage

// LambdaURLLocation says where the function URL with an id lives. A request to a URL names
// only its id (and, in the host form, its region), so the server finds the URL's account,
// region and function here before it knows any of them, as it finds an access key's owner.
type LambdaURLLocation struct {
	V         int    `json:"v"`
	Account   string `json:"account"`
	Region    string `json:"region"`
	Function  string `json:"function"`
	Qualifier string `json:"qualifier,omitempty"`
}

// LambdaURLIndex is the global index of function URLs: url id -> location. The URL config
// itself stays with its function (LambdaURLConfigs); an entry whose config is gone or has
// another id since (the function or alias was deleted) is stale, and readers check for it.
func LambdaURLIndex(tx *Tx) Table[LambdaURLLocation] {
	return GlobalTable[LambdaURLLocation](tx, "lambdaurls")
}
