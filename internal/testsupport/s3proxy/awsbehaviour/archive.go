package awsbehaviour

// Behaviour 6: archived object versions.
//
// Sources (Amazon S3 API Reference and User Guide):
//   - "Working with archived objects": objects in S3 Glacier Flexible Retrieval (GLACIER), S3 Glacier Deep
//     Archive (DEEP_ARCHIVE) and the S3 Intelligent-Tiering Archive Access and Deep Archive Access tiers are
//     not accessible in real time; a restore makes a temporary copy (Glacier classes, until an expiry) or
//     moves the object back to the Frequent Access tier (Intelligent-Tiering).
//   - ListObjectVersions: the x-amz-optional-object-attributes request header, whose one value is
//     RestoreStatus, adds each version's RestoreStatus; RestoreStatus (API data type) holds
//     IsRestoreInProgress and RestoreExpiryDate: in progress reports IsRestoreInProgress true; a completed
//     restore reports false with RestoreExpiryDate; "If the object hasn't been restored, there is no
//     header response", so no element. Element names are the SDK's (service/s3 v1.114).
//   - CopyObject (x-amz-storage-class): "Before using an object as a source object for the copy operation,
//     you must restore a copy of it if ... the storage class of the source object is GLACIER or
//     DEEP_ARCHIVE [or] INTELLIGENT_TIERING and its S3 Intelligent-Tiering access tier is Archive Access or
//     Deep Archive Access". The API reference names the error ObjectNotInActiveTierError ("The source
//     object of the COPY action is not in the active tier and is only stored in Amazon S3 Glacier", 403),
//     but S3 sends code InvalidObjectState, 403, "Operation is not valid for the source object's storage
//     class" (s3tools/s3cmd#193, rclone/rclone#3224); the layer sends what S3 sends. UploadPartCopy is
//     answered the same.
//
// Chosen: a version marked with versionID "" is the key's current version: it matches a copy source
// without versionId and the listing entry with IsLatest true. Restore expiry is read from the layer's
// clock. SeaweedFS knows none of these classes and ignores x-amz-optional-object-attributes, so the
// layer rewrites its ListObjectVersions answer (keeping everything else, entries in their order) and
// refuses the copy itself; GetObject of an archived version is not modelled.

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// The archive storage classes and Intelligent-Tiering access tiers.
const (
	Glacier            = "GLACIER"
	DeepArchive        = "DEEP_ARCHIVE"
	IntelligentTiering = "INTELLIGENT_TIERING"
	ArchiveAccess      = "ARCHIVE_ACCESS"
	DeepArchiveAccess  = "DEEP_ARCHIVE_ACCESS"
)

// Archived marks an object version as archived.
type Archived struct {
	// StorageClass is Glacier, DeepArchive or IntelligentTiering; "" removes the mark.
	StorageClass string
	// AccessTier is ArchiveAccess or DeepArchiveAccess for IntelligentTiering, "" otherwise.
	AccessTier string
	// RestoreInProgress says a restore was asked for and has not completed.
	RestoreInProgress bool
	// RestoredUntil, when not zero and the restore is complete, is when the restored copy expires: until
	// then (by the layer's clock) the version can be copied.
	RestoredUntil time.Time
}

// restored reports whether a completed restore makes the version readable at now.
func (a Archived) restored(now time.Time) bool {
	return !a.RestoreInProgress && !a.RestoredUntil.IsZero() && now.Before(a.RestoredUntil)
}

// versionRef names an object version; version "" is the current one.
type versionRef struct{ key, version string }

// Archive marks bucket's key at versionID ("" = the current version) as archived, or removes the mark
// (a zero Archived). It switches behaviour 6 on for that version.
func (l *Layer) Archive(bucket, key, versionID string, a Archived) {
	switch a.StorageClass {
	case "":
	case Glacier, DeepArchive:
		if a.AccessTier != "" {
			panic("awsbehaviour: Archive: " + a.StorageClass + " has no access tier")
		}
	case IntelligentTiering:
		if a.AccessTier != ArchiveAccess && a.AccessTier != DeepArchiveAccess {
			panic("awsbehaviour: Archive: INTELLIGENT_TIERING needs the ARCHIVE_ACCESS or DEEP_ARCHIVE_ACCESS tier")
		}
	default:
		panic("awsbehaviour: Archive: " + a.StorageClass + " is not an archive storage class")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(bucket)
	ref := versionRef{key, versionID}
	if a.StorageClass == "" {
		delete(b.archived, ref)
		return
	}
	if b.archived == nil {
		b.archived = make(map[versionRef]Archived)
	}
	b.archived[ref] = a
}

// archivedIn returns a copy of bucket's archive marks, nil when there are none.
func (l *Layer) archivedIn(bucket string) map[versionRef]Archived {
	l.mu.Lock()
	defer l.mu.Unlock()
	marks := l.bucket(bucket).archived
	if len(marks) == 0 {
		return nil
	}
	out := make(map[versionRef]Archived, len(marks))
	for k, v := range marks {
		out[k] = v
	}
	return out
}

var errArchivedSource = &s3proxy.Error{Status: http.StatusForbidden, Code: "InvalidObjectState",
	Message: "Operation is not valid for the source object's storage class"}

// copyObject refuses a copy of an archived, unrestored version, and a copy asking for SSE-C where it is
// blocked.
func (l *Layer) copyObject(w http.ResponseWriter, r *http.Request, op s3proxy.Operation, next http.Handler) {
	if src, key, ok := copySource(r); ok {
		if a, found := l.archivedIn(src)[versionRef{key, copySourceVersion(r)}]; found && !a.restored(l.now()) {
			l.refuse(w, r, errArchivedSource)
			return
		}
	}
	if op.Name == "CopyObject" {
		l.refuseBlockedSSEC(w, r, op.Bucket, next)
		return
	}
	next.ServeHTTP(w, r)
}

// wantsRestoreStatus reports whether r asks for RestoreStatus in x-amz-optional-object-attributes.
func wantsRestoreStatus(r *http.Request) bool {
	for _, v := range r.Header.Values("X-Amz-Optional-Object-Attributes") {
		for _, item := range strings.Split(v, ",") {
			if strings.Trim(strings.TrimSpace(item), `"`) == "RestoreStatus" {
				return true
			}
		}
	}
	return false
}

// listObjectVersions reports archived versions' storage class, and RestoreStatus when asked for.
func (l *Layer) listObjectVersions(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if l.archivedIn(bucket) == nil {
		next.ServeHTTP(w, r)
		return
	}
	buf := s3proxy.NewBufferedResponse(w.Header())
	next.ServeHTTP(buf, r)
	marks := l.archivedIn(bucket)
	if buf.Status/100 != 2 || marks == nil || w.Header().Get("Content-Encoding") != "" {
		passOn(w, buf)
		return
	}
	out, changed, err := rewriteVersions(buf.Body.Bytes(), marks, wantsRestoreStatus(r), l.now())
	if err != nil || !changed {
		passOn(w, buf)
		return
	}
	h := w.Header()
	h.Del("Content-Md5")
	h.Del("Etag")
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(buf.Status)
	_, _ = w.Write(out)
}

// rewriteVersions rewrites a ListVersionsResult document token by token, so that everything it does not
// change (entry order, delete markers, common prefixes) stays as the server wrote it: each <Version> that
// a mark names gets the mark's StorageClass and, with restoreStatus, a RestoreStatus element after its
// other children. changed is false when no entry was marked.
func rewriteVersions(body []byte, marks map[versionRef]Archived, restoreStatus bool, now time.Time) (out []byte, changed bool, err error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	depth := 0
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && t.Name.Local == "Version" {
				entry, err := readElement(dec, t)
				if err != nil {
					return nil, false, err
				}
				depth--
				rewritten, ok := markVersion(entry, marks, restoreStatus, now)
				changed = changed || ok
				for _, et := range rewritten {
					if err := enc.EncodeToken(et); err != nil {
						return nil, false, err
					}
				}
				continue
			}
		case xml.EndElement:
			depth--
		}
		if err := enc.EncodeToken(xml.CopyToken(tok)); err != nil {
			return nil, false, err
		}
	}
	if err := enc.Flush(); err != nil {
		return nil, false, err
	}
	return buf.Bytes(), changed, nil
}

// readElement returns the tokens of the element that start opens, start and end included.
func readElement(dec *xml.Decoder, start xml.StartElement) ([]xml.Token, error) {
	toks := []xml.Token{start.Copy()}
	for depth := 1; depth > 0; {
		tok, err := dec.RawToken()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
		toks = append(toks, xml.CopyToken(tok))
	}
	return toks, nil
}

// markVersion applies the mark naming one <Version> entry (its tokens, start and end included), if any.
func markVersion(entry []xml.Token, marks map[versionRef]Archived, restoreStatus bool, now time.Time) ([]xml.Token, bool) {
	fields := childText(entry)
	a, ok := marks[versionRef{fields["Key"], fields["VersionId"]}]
	if !ok && fields["IsLatest"] == "true" {
		a, ok = marks[versionRef{fields["Key"], ""}]
	}
	if !ok {
		return entry, false
	}
	out := make([]xml.Token, 0, len(entry)+8)
	out = append(out, entry[0])
	sawClass := false
	for i := 1; i < len(entry)-1; i++ {
		start, isStart := entry[i].(xml.StartElement)
		if !isStart {
			out = append(out, entry[i])
			continue
		}
		// A direct child: find where it ends.
		end := i + 1
		for depth := 1; depth > 0; end++ {
			switch entry[end].(type) {
			case xml.StartElement:
				depth++
			case xml.EndElement:
				depth--
			}
		}
		switch start.Name.Local {
		case "StorageClass":
			out = append(out, textElement("StorageClass", a.StorageClass)...)
			sawClass = true
		case "RestoreStatus": // the layer writes its own
		default:
			out = append(out, entry[i:end]...)
		}
		i = end - 1
	}
	if !sawClass {
		out = append(out, textElement("StorageClass", a.StorageClass)...)
	}
	if restoreStatus {
		switch {
		case a.RestoreInProgress:
			out = append(out, xml.StartElement{Name: xml.Name{Local: "RestoreStatus"}})
			out = append(out, textElement("IsRestoreInProgress", "true")...)
			out = append(out, xml.EndElement{Name: xml.Name{Local: "RestoreStatus"}})
		case a.restored(now):
			out = append(out, xml.StartElement{Name: xml.Name{Local: "RestoreStatus"}})
			out = append(out, textElement("IsRestoreInProgress", "false")...)
			out = append(out, textElement("RestoreExpiryDate", a.RestoredUntil.UTC().Format("2006-01-02T15:04:05.000Z"))...)
			out = append(out, xml.EndElement{Name: xml.Name{Local: "RestoreStatus"}})
		}
	}
	return append(out, entry[len(entry)-1]), true
}

// childText returns the text of an element's direct children that hold only text.
func childText(entry []xml.Token) map[string]string {
	fields := make(map[string]string)
	depth, current := 0, ""
	for _, tok := range entry {
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 {
				current = t.Name.Local
			}
		case xml.EndElement:
			depth--
			current = ""
		case xml.CharData:
			if depth == 2 && current != "" {
				fields[current] += string(t)
			}
		}
	}
	return fields
}

func textElement(name, text string) []xml.Token {
	return []xml.Token{xml.StartElement{Name: xml.Name{Local: name}}, xml.CharData(text), xml.EndElement{Name: xml.Name{Local: name}}}
}
