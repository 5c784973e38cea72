package s3api

// IsolateAWS is isolateAWS for the external test package (pair_test.go), which cannot see unexported names.
var IsolateAWS = isolateAWS
