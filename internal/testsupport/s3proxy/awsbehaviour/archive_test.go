package awsbehaviour

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// listedVersion is a <Version> entry of a ListObjectVersions answer, as the test reads it.
type listedVersion struct {
	Key, VersionID, StorageClass string
	RestoreStatus                *struct {
		IsRestoreInProgress bool
		RestoreExpiryDate   string
	}
}

// entryOrder lists the answer's entries by element name and key, to check nothing moved.
func entryOrder(t *testing.T, body []byte) ([]string, map[string]listedVersion) {
	t.Helper()
	var doc struct {
		XMLName xml.Name `xml:"ListVersionsResult"`
		Entries []struct {
			XMLName       xml.Name
			Key           string `xml:"Key"`
			VersionID     string `xml:"VersionId"`
			StorageClass  string `xml:"StorageClass"`
			Prefix        string `xml:"Prefix"`
			RestoreStatus *struct {
				IsRestoreInProgress bool   `xml:"IsRestoreInProgress"`
				RestoreExpiryDate   string `xml:"RestoreExpiryDate"`
			} `xml:"RestoreStatus"`
		} `xml:",any"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("ListObjectVersions answer %s: %v", body, err)
	}
	var order []string
	versions := make(map[string]listedVersion)
	for _, e := range doc.Entries {
		switch e.XMLName.Local {
		case "Version":
			order = append(order, "Version "+e.Key+" "+e.VersionID)
			v := listedVersion{Key: e.Key, VersionID: e.VersionID, StorageClass: e.StorageClass}
			if e.RestoreStatus != nil {
				v.RestoreStatus = &struct {
					IsRestoreInProgress bool
					RestoreExpiryDate   string
				}{e.RestoreStatus.IsRestoreInProgress, e.RestoreStatus.RestoreExpiryDate}
			}
			versions[e.VersionID] = v
		case "DeleteMarker":
			order = append(order, "DeleteMarker "+e.Key+" "+e.VersionID)
		case "CommonPrefixes":
			order = append(order, "CommonPrefixes "+e.Prefix)
		default:
			order = append(order, e.XMLName.Local)
		}
	}
	return order, versions
}

var upstreamOrder = []string{"Name", "MaxKeys", "IsTruncated", "Version a.jpg v2", "DeleteMarker a.jpg d1",
	"Version a.jpg v1", "Version b.jpg v9", "CommonPrefixes dir/"}

func TestListObjectVersionsReportsArchivedVersions(t *testing.T) {
	h := newHarness(t)
	restoredUntil := testStart.Add(48 * time.Hour)
	h.layer.Archive("pm-media", "a.jpg", "v1", Archived{StorageClass: DeepArchive})
	h.layer.Archive("pm-media", "b.jpg", "", Archived{StorageClass: Glacier, RestoredUntil: restoredUntil}) // the current version

	got := h.do(t, http.MethodGet, "/pm-media?versions", "")
	h.ExpectForwarded(t, got, http.StatusOK)
	order, versions := entryOrder(t, got.Body)
	if strings.Join(order, "|") != strings.Join(upstreamOrder, "|") {
		t.Errorf("entries %v, want the server's %v", order, upstreamOrder)
	}
	for id, class := range map[string]string{"v2": "STANDARD", "v1": DeepArchive, "v9": Glacier} {
		if versions[id].StorageClass != class {
			t.Errorf("version %s: StorageClass %q, want %s", id, versions[id].StorageClass, class)
		}
		if versions[id].RestoreStatus != nil {
			t.Errorf("version %s: RestoreStatus without asking for it", id)
		}
	}
	if n := got.Header.Get("Content-Length"); n != strconv.Itoa(len(got.Body)) {
		t.Errorf("Content-Length %s for a body of %d", n, len(got.Body))
	}
	if !strings.Contains(string(got.Body), `<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`) {
		t.Errorf("the root lost its namespace: %s", got.Body)
	}

	t.Run("with RestoreStatus", func(t *testing.T) {
		h.layer.Archive("pm-media", "a.jpg", "v2", Archived{StorageClass: IntelligentTiering, AccessTier: ArchiveAccess, RestoreInProgress: true})
		defer h.layer.Archive("pm-media", "a.jpg", "v2", Archived{})
		for _, value := range []string{"RestoreStatus", `"RestoreStatus"`, "Other, RestoreStatus"} {
			got := h.send(t, request{method: http.MethodGet, target: "/pm-media?versions&prefix=", header: signed("X-Amz-Optional-Object-Attributes", value)})
			h.ExpectForwarded(t, got, http.StatusOK)
			_, versions := entryOrder(t, got.Body)
			if rs := versions["v9"].RestoreStatus; rs == nil || rs.IsRestoreInProgress || rs.RestoreExpiryDate != "2026-11-22T12:00:00.000Z" {
				t.Errorf("%s: v9 RestoreStatus %+v, want restored until 2026-11-22T12:00:00.000Z", value, rs)
			}
			if rs := versions["v2"].RestoreStatus; rs == nil || !rs.IsRestoreInProgress || rs.RestoreExpiryDate != "" {
				t.Errorf("%s: v2 RestoreStatus %+v, want in progress", value, rs)
			}
			if versions["v2"].StorageClass != IntelligentTiering {
				t.Errorf("v2 StorageClass %s", versions["v2"].StorageClass)
			}
			// Not restored: no element.
			if rs := versions["v1"].RestoreStatus; rs != nil {
				t.Errorf("%s: v1 RestoreStatus %+v, want none", value, rs)
			}
		}
	})

	t.Run("an expired restore is not reported", func(t *testing.T) {
		h.clock.Set(restoredUntil)
		defer h.clock.Set(testStart)
		got := h.send(t, request{method: http.MethodGet, target: "/pm-media?versions", header: signed("X-Amz-Optional-Object-Attributes", "RestoreStatus")})
		h.ExpectForwarded(t, got, http.StatusOK)
		if _, versions := entryOrder(t, got.Body); versions["v9"].RestoreStatus != nil {
			t.Errorf("v9 RestoreStatus %+v after the restored copy expired", versions["v9"].RestoreStatus)
		}
	})

	t.Run("another bucket, and errors, pass", func(t *testing.T) {
		got := h.do(t, http.MethodGet, "/pm-static?versions", "")
		h.ExpectForwarded(t, got, http.StatusOK)
		if string(got.Body) != upstreamVersions {
			t.Errorf("another bucket's listing changed: %s", got.Body)
		}
		h.SetAnswer(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`<Error><Code>NoSuchBucket</Code></Error>`))
		})
		defer h.SetAnswer(nil)
		h.ExpectForwarded(t, h.do(t, http.MethodGet, "/pm-media?versions", ""), http.StatusNotFound)
	})
}

func TestRewriteVersionsUnmarkedIsUntouched(t *testing.T) {
	marks := map[versionRef]Archived{{"c.jpg", "v1"}: {StorageClass: Glacier}}
	_, changed, err := rewriteVersions([]byte(upstreamVersions), marks, true, testStart)
	if err != nil || changed {
		t.Errorf("changed %v, err %v; want an untouched document", changed, err)
	}
	if _, _, err := rewriteVersions([]byte("<ListVersionsResult><Version>"), marks, true, testStart); err == nil {
		t.Error("a truncated document gave no error")
	}
}

func TestRewriteVersionsAddsAMissingStorageClass(t *testing.T) {
	doc := `<ListVersionsResult><Version><Key>k</Key><VersionId>v</VersionId><IsLatest>false</IsLatest>` +
		`<RestoreStatus><IsRestoreInProgress>true</IsRestoreInProgress></RestoreStatus></Version></ListVersionsResult>`
	out, changed, err := rewriteVersions([]byte(doc), map[versionRef]Archived{{"k", "v"}: {StorageClass: Glacier}}, true, testStart)
	if err != nil || !changed {
		t.Fatalf("changed %v, err %v", changed, err)
	}
	want := `<ListVersionsResult><Version><Key>k</Key><VersionId>v</VersionId><IsLatest>false</IsLatest>` +
		`<StorageClass>GLACIER</StorageClass></Version></ListVersionsResult>`
	if string(out) != want {
		t.Errorf("rewritten\n%s\nwant\n%s", out, want)
	}
}

func TestCopyOfAnArchivedVersion(t *testing.T) {
	h := newHarness(t)
	copyFrom := func(source string) request {
		return request{method: http.MethodPut, target: "/pm-media/restored.jpg", header: signed("X-Amz-Copy-Source", source)}
	}
	// Off: copied.
	h.ExpectForwarded(t, h.send(t, copyFrom("/pm-media/a.jpg?versionId=v1")), http.StatusOK)

	h.layer.Archive("pm-media", "a.jpg", "v1", Archived{StorageClass: Glacier})
	h.layer.Archive("pm-media", "dir/b c.jpg", "", Archived{StorageClass: IntelligentTiering, AccessTier: DeepArchiveAccess})
	for _, source := range []string{"/pm-media/a.jpg?versionId=v1", "pm-media/a.jpg?versionId=v1", "/pm-media/dir/b%20c.jpg"} {
		got := h.send(t, copyFrom(source))
		h.expectRefused(t, got, http.StatusForbidden, "InvalidObjectState")
		if !strings.Contains(string(got.Body), "<Message>Operation is not valid for the source object&#39;s storage class</Message>") {
			t.Errorf("%s: body %s", source, got.Body)
		}
	}
	// UploadPartCopy too.
	h.expectRefused(t, h.send(t, request{method: http.MethodPut, target: "/pm-media/big.bin?partNumber=1&uploadId=u",
		header: signed("X-Amz-Copy-Source", "/pm-media/a.jpg?versionId=v1")}), http.StatusForbidden, "InvalidObjectState")
	// Other versions and keys copy.
	h.ExpectForwarded(t, h.send(t, copyFrom("/pm-media/a.jpg?versionId=v2")), http.StatusOK)
	h.ExpectForwarded(t, h.send(t, copyFrom("/pm-media/a.jpg")), http.StatusOK)
	h.ExpectForwarded(t, h.send(t, copyFrom("/pm-other/a.jpg?versionId=v1")), http.StatusOK)

	// In progress: still refused; restored: copied, until the copy expires.
	h.layer.Archive("pm-media", "a.jpg", "v1", Archived{StorageClass: Glacier, RestoreInProgress: true})
	h.expectRefused(t, h.send(t, copyFrom("/pm-media/a.jpg?versionId=v1")), http.StatusForbidden, "InvalidObjectState")
	h.layer.Archive("pm-media", "a.jpg", "v1", Archived{StorageClass: Glacier, RestoredUntil: testStart.Add(time.Hour)})
	h.ExpectForwarded(t, h.send(t, copyFrom("/pm-media/a.jpg?versionId=v1")), http.StatusOK)
	h.clock.Advance(time.Hour)
	h.expectRefused(t, h.send(t, copyFrom("/pm-media/a.jpg?versionId=v1")), http.StatusForbidden, "InvalidObjectState")

	// Unmarked.
	h.layer.Archive("pm-media", "a.jpg", "v1", Archived{})
	h.ExpectForwarded(t, h.send(t, copyFrom("/pm-media/a.jpg?versionId=v1")), http.StatusOK)
}

func TestArchiveChecksItsArguments(t *testing.T) {
	for _, a := range []Archived{
		{StorageClass: "STANDARD_IA"},
		{StorageClass: Glacier, AccessTier: ArchiveAccess},
		{StorageClass: IntelligentTiering},
		{StorageClass: IntelligentTiering, AccessTier: "FREQUENT_ACCESS"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Archive accepted %+v", a)
				}
			}()
			New(Options{}).Archive("b", "k", "v", a)
		}()
	}
}
