package api

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Lists give at most maxLimit items a page, defaultLimit when the request
// names no limit.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// paging reads ?limit= and ?cursor= (the opaque "next" of the page before).
func paging(q url.Values) (from, limit int, err error) {
	limit = defaultLimit
	if v := q.Get("limit"); v != "" {
		limit, err = strconv.Atoi(v)
		if err != nil || limit < 1 || limit > maxLimit {
			return 0, 0, fmt.Errorf("limit %q: want a whole number from 1 to %d", v, maxLimit)
		}
	}
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		n, found := strings.CutPrefix(string(b), "from:")
		if err == nil && found {
			from, err = strconv.Atoi(n)
		}
		if err != nil || !found || from < 0 {
			return 0, 0, fmt.Errorf("cursor %q: not a cursor this API gave (use the \"next\" of the page before)", c)
		}
	}
	return from, limit, nil
}

// paginate is the page of all that starts at from; when more follow, it
// names the next page in the answer and in a Link header.
func paginate[T any](w http.ResponseWriter, r *http.Request, all []T, from, limit int) page[T] {
	p := page[T]{Items: []T{}, Total: len(all)}
	if from < len(all) {
		p.Items = all[from:min(from+limit, len(all))]
	}
	if from+limit < len(all) {
		p.Next = base64.RawURLEncoding.EncodeToString([]byte("from:" + strconv.Itoa(from+limit)))
		next := *r.URL
		q := next.Query()
		q.Set("cursor", p.Next)
		next.RawQuery = q.Encode()
		w.Header().Set("Link", "<"+next.RequestURI()+`>; rel="next"`)
	}
	return p
}
