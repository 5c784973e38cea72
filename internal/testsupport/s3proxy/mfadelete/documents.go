package mfadelete

import (
	"encoding/xml"
	"fmt"
)

// The values of MfaDelete.
const (
	mfaDeleteEnabled  = "Enabled"
	mfaDeleteDisabled = "Disabled"
)

// versioningConfiguration is the body of PutBucketVersioning and GetBucketVersioning, in any namespace.
type versioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	Status    string   `xml:"Status,omitempty"`
	MfaDelete string   `xml:"MfaDelete,omitempty"`
}

// parseVersioningConfiguration reads a PutBucketVersioning body. MfaDelete, if present, must be one of
// its two values, as S3 requires.
func parseVersioningConfiguration(body []byte) (versioningConfiguration, error) {
	var c versioningConfiguration
	if err := xml.Unmarshal(body, &c); err != nil {
		return versioningConfiguration{}, err
	}
	switch c.MfaDelete {
	case "", mfaDeleteEnabled, mfaDeleteDisabled:
		return c, nil
	}
	return versioningConfiguration{}, fmt.Errorf("MfaDelete %q is neither %s nor %s", c.MfaDelete, mfaDeleteEnabled, mfaDeleteDisabled)
}

// versioningAnswer is GetBucketVersioning's answer as S3 writes it.
type versioningAnswer struct {
	XMLName   xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ VersioningConfiguration"`
	Status    string   `xml:"Status,omitempty"`
	MfaDelete string   `xml:"MfaDelete"`
}

// withMfaDelete renders a GetBucketVersioning answer again as S3 would with MFA Delete configured: the
// server's Status, then MfaDelete as the layer stores it. Status and MfaDelete are all the document holds.
func withMfaDelete(body []byte, enabled bool) ([]byte, error) {
	var c versioningConfiguration
	if err := xml.Unmarshal(body, &c); err != nil {
		return nil, err
	}
	answer := versioningAnswer{Status: c.Status, MfaDelete: mfaDeleteDisabled}
	if enabled {
		answer.MfaDelete = mfaDeleteEnabled
	}
	out, err := xml.Marshal(answer)
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), out...), nil
}

// deleteRequest is the body of DeleteObjects.
type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Objects []struct {
		Key       string  `xml:"Key"`
		VersionID *string `xml:"VersionId"`
	} `xml:"Object"`
}

// deletesVersions reports whether a DeleteObjects body names any object version. An empty VersionId
// element counts: the layer does not guess what the server makes of it.
func deletesVersions(body []byte) (bool, error) {
	var d deleteRequest
	if err := xml.Unmarshal(body, &d); err != nil {
		return false, err
	}
	for _, o := range d.Objects {
		if o.VersionID != nil {
			return true, nil
		}
	}
	return false, nil
}
