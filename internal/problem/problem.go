// Package problem defines jiaoyi's one error type and its mapping to HTTP
// status codes and RFC 9457 problem+json documents.
//
// Domain packages declare sentinel errors with New and wrap them with context
// (fmt.Errorf("get product %s: %w", id, catalog.ErrProductNotFound)); the HTTP
// edge finds the *Error in the chain with From and renders it. Anything that is
// not an *Error is an internal error: its text goes to the log, never to the
// client.
package problem

import (
	"errors"
	"net/http"
)

// Code classifies an error for callers and for the HTTP mapping.
type Code string

// The codes callers branch on. Each maps to one HTTP status.
const (
	Invalid          Code = "invalid"            // 400: malformed or out-of-range input
	Unauthorized     Code = "unauthorized"       // 401: no or bad credentials
	NotFound         Code = "not_found"          // 404
	MethodNotAllowed Code = "method_not_allowed" // 405
	Conflict         Code = "conflict"           // 409: state does not allow it now
	TooLarge         Code = "too_large"          // 413
	UnsupportedMedia Code = "unsupported_media"  // 415
	Unprocessable    Code = "unprocessable"      // 422: well formed, but cannot be honoured
	TooManyRequests  Code = "too_many_requests"  // 429: a limit on the caller
	Forbidden        Code = "forbidden"          // 403: the caller's role may not do this
	ClientClosed     Code = "client_closed"      // 499: the caller went away before the answer
	Unavailable      Code = "unavailable"        // 503: try again later
	Internal         Code = "internal"           // 500: our fault; detail is never shown
)

var statusByCode = map[Code]int{
	Invalid:          http.StatusBadRequest,
	Unauthorized:     http.StatusUnauthorized,
	NotFound:         http.StatusNotFound,
	MethodNotAllowed: http.StatusMethodNotAllowed,
	Conflict:         http.StatusConflict,
	TooLarge:         http.StatusRequestEntityTooLarge,
	UnsupportedMedia: http.StatusUnsupportedMediaType,
	Unprocessable:    http.StatusUnprocessableEntity,
	TooManyRequests:  http.StatusTooManyRequests,
	Forbidden:        http.StatusForbidden,
	ClientClosed:     499,
	Unavailable:      http.StatusServiceUnavailable,
	Internal:         http.StatusInternalServerError,
}

// Status returns the HTTP status for code; unknown codes are 500.
func Status(code Code) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Error is a client-facing error: a code, a human message safe to show, and
// optionally the request field at fault and extension members for the
// problem document (for example which order lines are short of stock).
type Error struct {
	Code    Code
	Message string
	// Field names the input at fault, as a JSON pointer-ish path ("lines[2].quantity").
	Field string
	// Extensions are added as members of the problem document.
	Extensions map[string]any
	// Err is the underlying cause, logged but never shown to the client.
	Err error
}

// New returns an *Error with code and message; use it for sentinels.
func New(code Code, message string) *Error {
	return &Error{Code: code, Message: message}
}

// Field returns an Invalid error naming the field at fault.
func Field(field, message string) *Error {
	return &Error{Code: Invalid, Field: field, Message: message}
}

// Error implements error.
func (e *Error) Error() string {
	msg := string(e.Code) + ": " + e.Message
	if e.Field != "" {
		msg += " (field " + e.Field + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the same sentinel, so a copy made with With or
// Wrap still matches its sentinel under errors.Is.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return e == t || (t.Code == e.Code && t.Message == e.Message && t.Field == "" && t.Extensions == nil && t.Err == nil)
}

// With returns a copy of e carrying extension members.
func (e *Error) With(ext map[string]any) *Error {
	c := *e
	c.Extensions = ext
	return &c
}

// Wrap returns a copy of e whose cause is err.
func (e *Error) Wrap(err error) *Error {
	c := *e
	c.Err = err
	return &c
}

// From finds the *Error in err's chain. Errors that carry none are internal:
// From returns an Internal error whose cause is err.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "internal error", Err: err}
}

// CodeOf returns the code of the *Error in err's chain, or Internal, or ""
// for a nil error.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return From(err).Code
}
