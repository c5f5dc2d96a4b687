package labtrace

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write writes records to w, one JSON object per line.
func Write(w io.Writer, records []Record) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, rec := range records {
		if err := enc.Encode(rec); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// Read reads the records of a trace written by Write. A line that is not a
// record is an error that names its line number.
func Read(r io.Reader) ([]Record, error) {
	var records []Record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return records, fmt.Errorf("line %d: %v", line, err)
		}
		records = append(records, rec)
	}
	return records, sc.Err()
}

// WriteFile writes records to the file path, creating its folder if need
// be.
func WriteFile(path string, records []Record) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Write(f, records); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadFile reads the trace in the file path.
func ReadFile(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	records, err := Read(f)
	if err != nil {
		return records, fmt.Errorf("%s: %v", path, err)
	}
	return records, nil
}
