package executor

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// MaxUnzippedSize is Lambda's quota on a deployment package's unzipped size
// ("250 MB", Lambda quotas page), counted in bytes actually written, whatever
// the zip headers claim.
const MaxUnzippedSize = 250 << 20

// maxZipEntries bounds the number of entries, so that a package of millions
// of empty files is refused like a zip bomb.
const maxZipEntries = 100_000

// ErrInvalidZip is wrapped by every extraction failure: a package that is not
// a zip, names a path outside its directory, holds a symbolic link leading
// out of it, a special file, or more than MaxUnzippedSize bytes.
var ErrInvalidZip = errors.New("invalid deployment package")

type extractLimits struct {
	maxBytes   int64
	maxEntries int
	// overlay lets entries replace what an earlier zip left in dir (layers
	// extracted one over another, later ones winning, as in /opt): a file or
	// link replaces a file or link of the same name instead of writing
	// through it.
	overlay bool
}

// Extract unpacks the zip data into dir, which must exist. Every file is
// created through an os.Root, so no entry can be written outside dir, and
// symbolic links are created last and checked to resolve inside dir.
func Extract(data []byte, dir string) error {
	_, err := extract(data, dir, extractLimits{maxBytes: MaxUnzippedSize, maxEntries: maxZipEntries})
	return err
}

// extract unpacks data into dir and returns the bytes written, at most
// lim.maxBytes.
func extract(data []byte, dir string, lim extractLimits) (int64, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return 0, fmt.Errorf("%w: %v", ErrInvalidZip, err)
	}
	if len(zr.File) > lim.maxEntries {
		return 0, fmt.Errorf("%w: more than %d entries", ErrInvalidZip, lim.maxEntries)
	}
	var declared uint64
	for _, f := range zr.File {
		declared += f.UncompressedSize64
		if lim.maxBytes < 0 || declared > uint64(lim.maxBytes) {
			return 0, fmt.Errorf("%w: unzipped size exceeds %d bytes", ErrInvalidZip, lim.maxBytes)
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return 0, err
	}
	defer root.Close()

	type link struct{ name, target string }
	var links []link
	remaining := lim.maxBytes
	for _, f := range zr.File {
		name, isDir, err := entryName(f.Name)
		if err != nil {
			return 0, err
		}
		mode := f.Mode()
		switch {
		case mode&fs.ModeSymlink != 0:
			target, err := readSmall(f, 4096)
			if err != nil {
				return 0, err
			}
			if !linkStaysInside(name, target) {
				return 0, fmt.Errorf("%w: symbolic link %q -> %q leaves the package", ErrInvalidZip, f.Name, target)
			}
			links = append(links, link{name, target})
		case isDir || mode.IsDir():
			if name == "." {
				continue
			}
			if err := root.MkdirAll(name, 0o755); err != nil {
				return 0, fmt.Errorf("%w: %v", ErrInvalidZip, err)
			}
		case mode.IsRegular():
			if lim.overlay {
				if err := unlinkNonDir(root, name); err != nil {
					return 0, err
				}
			}
			n, err := writeEntry(root, f, name, remaining)
			if err != nil {
				return 0, err
			}
			remaining -= n
		default:
			return 0, fmt.Errorf("%w: %q is not a regular file, directory or symbolic link", ErrInvalidZip, f.Name)
		}
	}
	for _, l := range links {
		if d := path.Dir(l.name); d != "." {
			if err := root.MkdirAll(d, 0o755); err != nil {
				return 0, fmt.Errorf("%w: %v", ErrInvalidZip, err)
			}
		}
		if lim.overlay {
			if err := unlinkNonDir(root, l.name); err != nil {
				return 0, err
			}
		}
		if err := root.Symlink(l.target, l.name); err != nil {
			return 0, fmt.Errorf("%w: %v", ErrInvalidZip, err)
		}
	}
	// A link can be lexically inside and still lead out through another
	// link ("a/l" -> "..", "d" -> "a/l/.."): os.Root refuses to follow a
	// link out of the tree, so a Stat through it tells.
	for _, l := range links {
		if _, err := root.Stat(l.name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return 0, fmt.Errorf("%w: symbolic link %q leaves the package: %v", ErrInvalidZip, l.name, err)
		}
	}
	return lim.maxBytes - remaining, nil
}

// unlinkNonDir removes the file or symbolic link at name, if any, so that an
// overlaid entry replaces it rather than writing through a link. A directory
// stays; writing a file over it fails as it would with unzip.
func unlinkNonDir(root *os.Root, name string) error {
	fi, err := root.Lstat(name)
	if err != nil || fi.IsDir() {
		return nil // missing, or a path through a missing or linked parent: the write decides
	}
	if err := root.Remove(name); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidZip, err)
	}
	return nil
}

// entryName cleans a zip entry name and refuses absolute names, names with
// ".." leaving the directory, and NUL bytes.
func entryName(raw string) (name string, isDir bool, err error) {
	isDir = strings.HasSuffix(raw, "/")
	if raw == "" || strings.ContainsRune(raw, 0) || strings.HasPrefix(raw, "/") {
		return "", false, fmt.Errorf("%w: entry name %q", ErrInvalidZip, raw)
	}
	name = path.Clean(raw)
	if name != "." && !fs.ValidPath(name) {
		return "", false, fmt.Errorf("%w: entry %q is outside the package", ErrInvalidZip, raw)
	}
	return name, isDir, nil
}

func linkStaysInside(name, target string) bool {
	if target == "" || strings.HasPrefix(target, "/") || strings.ContainsRune(target, 0) {
		return false
	}
	resolved := path.Clean(path.Join(path.Dir(name), target))
	return resolved == "." || fs.ValidPath(resolved)
}

func readSmall(f *zip.File, max int64) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidZip, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidZip, err)
	}
	if int64(len(b)) > max {
		return "", fmt.Errorf("%w: symbolic link target of %q too long", ErrInvalidZip, f.Name)
	}
	return string(b), nil
}

// writeEntry copies one file, refusing more than remaining bytes
// (io.LimitReader(remaining+1) catches a header that lies about the size).
func writeEntry(root *os.Root, f *zip.File, name string, remaining int64) (int64, error) {
	if d := path.Dir(name); d != "." {
		if err := root.MkdirAll(d, 0o755); err != nil {
			return 0, fmt.Errorf("%w: %v", ErrInvalidZip, err)
		}
	}
	perm := fs.FileMode(0o644)
	if f.Mode()&0o111 != 0 {
		perm = 0o755
	}
	rc, err := f.Open()
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrInvalidZip, err)
	}
	defer rc.Close()
	out, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrInvalidZip, err)
	}
	n, err := io.Copy(out, io.LimitReader(rc, remaining+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("%w: %q: %v", ErrInvalidZip, f.Name, err)
	}
	if n > remaining {
		return n, fmt.Errorf("%w: unzipped size exceeds the limit", ErrInvalidZip)
	}
	return n, nil
}

// checkLinks stats every symbolic link under dir through an os.Root, which
// refuses to follow a link out of the tree: links of one zip checked alone
// can lead out in combination with links of a zip extracted over it.
func checkLinks(dir string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		if _, err := root.Stat(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: symbolic link %q leaves the directory: %v", ErrInvalidZip, name, err)
		}
		return nil
	})
}
