package problem

import (
	"encoding/json"
	"maps"
	"net/http"
)

// ContentType is the media type of a problem document (RFC 9457).
const ContentType = "application/problem+json"

// typeBase prefixes the problem type URI; the code completes it.
const typeBase = "https://jiaoyi.dev/problems/"

// Document is an RFC 9457 problem details object.
type Document struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Field is jiaoyi's extension naming the input at fault.
	Field string `json:"field,omitempty"`
	// Extensions hold further members, flattened into the object.
	Extensions map[string]any `json:"-"`
}

// DocumentFor renders e as a problem document for the request at instance.
// An Internal error says only "internal error": its cause is for the log.
func DocumentFor(e *Error, instance string) Document {
	status := Status(e.Code)
	d := Document{
		Type:     typeBase + string(e.Code),
		Title:    title(status),
		Status:   status,
		Detail:   e.Message,
		Instance: instance,
		Field:    e.Field,
	}
	if e.Code == Internal {
		d.Detail = "internal error"
		d.Field = ""
		return d
	}
	d.Extensions = e.Extensions
	return d
}

// MarshalJSON flattens Extensions into the object; the standard members win.
func (d Document) MarshalJSON() ([]byte, error) {
	type plain Document
	base, err := json.Marshal(plain(d))
	if err != nil || len(d.Extensions) == 0 {
		return base, err
	}
	m := make(map[string]any, len(d.Extensions)+6)
	maps.Copy(m, d.Extensions)
	var std map[string]any
	if err := json.Unmarshal(base, &std); err != nil {
		return nil, err
	}
	maps.Copy(m, std)
	return json.Marshal(m)
}

// title is the status's reason phrase, with nginx's name for 499.
func title(status int) string {
	if status == 499 {
		return "Client Closed Request"
	}
	return http.StatusText(status)
}
