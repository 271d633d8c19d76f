package iam

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Virtual MFA devices. A device is created unassigned with a random TOTP seed, and enabled for
// a user by proving two consecutive codes (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps,
// counted from the request time, so tests drive it with an injected clock).
const (
	quotaMFAPerUser = 8
	totpStep        = 30 * time.Second
	// enableWindow is how far (in steps) the second code of EnableMFADevice may lie from now;
	// ResyncMFADevice accepts a much larger drift, which it then remembers.
	enableWindow = 2
	resyncWindow = 120
)

var seedEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// totp is the RFC 6238 code of seed (base32) at time step n.
func totp(seed string, n int64) string {
	key, err := seedEncoding.DecodeString(seed)
	if err != nil {
		return ""
	}
	mac := hmac.New(sha1.New, key)
	_ = binary.Write(mac, binary.BigEndian, uint64(n))
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1_000_000)
}

func totpStepAt(t time.Time) int64 { return t.Unix() / int64(totpStep/time.Second) }

// matchCodes finds the step of code2 when code1 and code2 are consecutive codes whose second
// lies within window steps of center and after the last accepted step.
func matchCodes(d storage.MFADeviceRecord, code1, code2 string, center, window int64) (int64, bool) {
	for n := center - window; n <= center+window; n++ {
		if n > d.LastStep && totp(d.Seed, n-1) == code1 && totp(d.Seed, n) == code2 {
			return n, true
		}
	}
	return 0, false
}

func errInvalidCode() error {
	return iamapi.ErrInvalidAuthenticationCode("Authentication code for device is not valid.")
}

func noSuchMFA(serial string) error {
	return iamapi.ErrNoSuchEntity("MFA Device with serial number %s does not exist.", serial)
}

// getMFA reads a virtual MFA device by serial number, an MFA ARN of the caller's account.
func getMFA(tx *storage.Tx, names arn.Scope, serial string) (storage.MFADeviceRecord, error) {
	a, err := arn.Parse(serial)
	kind, _, name, ok := arn.SplitIAMResource(a.Resource)
	if err != nil || !a.InIAM(names) || !ok || kind != "mfa" {
		return storage.MFADeviceRecord{}, noSuchMFA(serial)
	}
	d, err := storage.MFADevices(tx).Get(storage.Key(name))
	if isNotFound(err) || (err == nil && d.Serial != serial) {
		return d, noSuchMFA(serial)
	}
	return d, err
}

func putMFA(tx *storage.Tx, d storage.MFADeviceRecord) error {
	return storage.MFADevices(tx).Put(storage.Key(d.Name), d)
}

// qrPlaceholder is the QRCodePNG: a valid PNG (a blank 21x21 image, the size of a version 1
// QR code). Clients only display it; the seed is what authenticators need.
func qrPlaceholder() []byte {
	img := image.NewGray(image.Rect(0, 0, 21, 21))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // encoding to memory cannot fail
	return b.Bytes()
}

func (s *Service) CreateVirtualMFADevice(ctx context.Context, in *iamapi.CreateVirtualMFADeviceRequest) (*iamapi.CreateVirtualMFADeviceResponse, error) {
	name, path := protocol.Val(in.VirtualMFADeviceName), pathOr(in.Path)
	seed := make([]byte, 20)
	s.ids.Src.Read(seed)
	d := storage.MFADeviceRecord{V: 1, Serial: s.names(ctx).MFA(path, name).String(), Name: name, Path: path,
		Seed: seedEncoding.EncodeToString(seed), Created: s.now(ctx)}
	tags, err := userTagRules.merge(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	d.Tags = tags
	err = s.update(ctx, func(tx *storage.Tx) error {
		if storage.MFADevices(tx).Has(storage.Key(name)) {
			return iamapi.ErrEntityAlreadyExists("MFA device already exists.")
		}
		return putMFA(tx, d)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateVirtualMFADeviceResponse{VirtualMFADevice: &iamapi.VirtualMFADevice{
		Base32StringSeed: []byte(d.Seed),
		QRCodePNG:        qrPlaceholder(),
		SerialNumber:     protocol.Ptr(d.Serial),
		Tags:             tagsToAPI(d.Tags),
	}}, nil
}

func (s *Service) EnableMFADevice(ctx context.Context, in *iamapi.EnableMFADeviceRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		u, err := getUser(tx, protocol.Val(in.UserName))
		if err != nil {
			return err
		}
		d, err := getMFA(tx, s.names(ctx), protocol.Val(in.SerialNumber))
		if err != nil {
			return err
		}
		if d.User != "" {
			return iamapi.ErrEntityAlreadyExists("MFA Device is already in use.")
		}
		if storage.UserScope(tx, u.Name).MFADevices().Count() >= quotaMFAPerUser {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for MFADevicesPerUser: %d", quotaMFAPerUser)
		}
		now := s.now(ctx)
		step, ok := matchCodes(d, protocol.Val(in.AuthenticationCode1), protocol.Val(in.AuthenticationCode2), totpStepAt(now), enableWindow)
		if !ok {
			return errInvalidCode()
		}
		d.User, d.Enabled, d.LastStep, d.Drift = u.Name, now, step, 0
		return putMFA(tx, d)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

// assignedMFA reads a device that must be enabled for the given user.
func assignedMFA(tx *storage.Tx, names arn.Scope, u storage.UserRecord, serial string) (storage.MFADeviceRecord, error) {
	d, err := getMFA(tx, names, serial)
	if err == nil && (d.User == "" || storage.Key(d.User) != storage.Key(u.Name)) {
		return d, noSuchMFA(serial)
	}
	return d, err
}

// DeactivateMFADevice unbinds a device from its user; the virtual device itself remains,
// unassigned, until DeleteVirtualMFADevice.
func (s *Service) DeactivateMFADevice(ctx context.Context, in *iamapi.DeactivateMFADeviceRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		o, err := credentialOwner(ctx, tx, in.UserName, false)
		if err != nil {
			return err
		}
		d, err := assignedMFA(tx, s.names(ctx), o.User, protocol.Val(in.SerialNumber))
		if err != nil {
			return err
		}
		d.User, d.Enabled, d.LastStep, d.Drift = "", time.Time{}, 0, 0
		return putMFA(tx, d)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

// ResyncMFADevice accepts two consecutive codes within a wide window and remembers the
// device's clock drift.
func (s *Service) ResyncMFADevice(ctx context.Context, in *iamapi.ResyncMFADeviceRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		u, err := getUser(tx, protocol.Val(in.UserName))
		if err != nil {
			return err
		}
		d, err := assignedMFA(tx, s.names(ctx), u, protocol.Val(in.SerialNumber))
		if err != nil {
			return err
		}
		cur := totpStepAt(s.now(ctx))
		step, ok := matchCodes(d, protocol.Val(in.AuthenticationCode1), protocol.Val(in.AuthenticationCode2), cur, resyncWindow)
		if !ok {
			return errInvalidCode()
		}
		d.LastStep, d.Drift = step, step-cur
		return putMFA(tx, d)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) DeleteVirtualMFADevice(ctx context.Context, in *iamapi.DeleteVirtualMFADeviceRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		d, err := getMFA(tx, s.names(ctx), protocol.Val(in.SerialNumber))
		if err != nil {
			return err
		}
		if d.User != "" {
			return iamapi.ErrDeleteConflict("Cannot delete entity, must deactivate MFA device first.")
		}
		return storage.MFADevices(tx).Delete(storage.Key(d.Name))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

// ListMFADevices lists the devices enabled for a user (the caller without UserName), by device
// name (the order of the user's device index).
func (s *Service) ListMFADevices(ctx context.Context, in *iamapi.ListMFADevicesRequest) (*iamapi.ListMFADevicesResponse, error) {
	var p page[storage.MFADeviceRecord]
	err := s.view(ctx, func(tx *storage.Tx) error {
		o, err := credentialOwner(ctx, tx, in.UserName, true)
		if err != nil {
			return err
		}
		p, err = readPage(in.Marker, in.MaxItems, func(from string, limit int) (storage.Page[storage.MFADeviceRecord], error) {
			if o.Root { // the root user's MFA is managed outside this API
				return storage.Page[storage.MFADeviceRecord]{}, nil
			}
			return o.scope(tx).MFADevices().Page(from, limit, nil)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListMFADevicesResponse{IsTruncated: p.IsTruncated(), Marker: p.Marker, MFADevices: []iamapi.MFADevice{}}
	for _, d := range p.Items {
		out.MFADevices = append(out.MFADevices, iamapi.MFADevice{
			EnableDate: protocol.Ptr(d.Enabled), SerialNumber: protocol.Ptr(d.Serial), UserName: protocol.Ptr(d.User),
		})
	}
	return out, nil
}

// ListVirtualMFADevices filters by AssignmentStatus (default Any). Assigned devices carry
// their user and enable date; seeds are never listed.
func (s *Service) ListVirtualMFADevices(ctx context.Context, in *iamapi.ListVirtualMFADevicesRequest) (*iamapi.ListVirtualMFADevicesResponse, error) {
	names := s.names(ctx)
	status := protocol.Val(in.AssignmentStatus)
	out := &iamapi.ListVirtualMFADevicesResponse{VirtualMFADevices: []iamapi.VirtualMFADevice{}}
	err := s.view(ctx, func(tx *storage.Tx) error {
		p, err := readPage(in.Marker, in.MaxItems, func(from string, limit int) (storage.Page[storage.MFADeviceRecord], error) {
			return storage.MFADevices(tx).Page("", from, limit, func(_ string, d storage.MFADeviceRecord) (bool, error) {
				assigned := d.User != ""
				return !(status == "Assigned" && !assigned) && !(status == "Unassigned" && assigned), nil
			})
		})
		if err != nil {
			return err
		}
		out.IsTruncated, out.Marker = p.IsTruncated(), p.Marker
		for _, d := range p.Items {
			v := iamapi.VirtualMFADevice{SerialNumber: protocol.Ptr(d.Serial), Tags: tagsToAPI(d.Tags)}
			if d.User != "" {
				v.EnableDate = protocol.Ptr(d.Enabled)
				if u, err := storage.Users(tx).Get(storage.Key(d.User)); err == nil {
					wu := wireUser(names, u, false)
					v.User = &wu
				}
			}
			out.VirtualMFADevices = append(out.VirtualMFADevices, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) GetMFADevice(ctx context.Context, in *iamapi.GetMFADeviceRequest) (*iamapi.GetMFADeviceResponse, error) {
	var d storage.MFADeviceRecord
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		if in.UserName != nil {
			u, err := getUser(tx, *in.UserName)
			if err != nil {
				return err
			}
			d, err = assignedMFA(tx, s.names(ctx), u, protocol.Val(in.SerialNumber))
			return err
		}
		d, err = getMFA(tx, s.names(ctx), protocol.Val(in.SerialNumber))
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &iamapi.GetMFADeviceResponse{SerialNumber: protocol.Ptr(d.Serial)}
	if d.User != "" {
		out.UserName, out.EnableDate = protocol.Ptr(d.User), protocol.Ptr(d.Enabled)
	}
	return out, nil
}

func (s *Service) TagMFADevice(ctx context.Context, in *iamapi.TagMFADeviceRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		d, err := getMFA(tx, s.names(ctx), protocol.Val(in.SerialNumber))
		if err != nil {
			return err
		}
		if d.Tags, err = userTagRules.merge(d.Tags, in.Tags); err != nil {
			return err
		}
		return putMFA(tx, d)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) UntagMFADevice(ctx context.Context, in *iamapi.UntagMFADeviceRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		d, err := getMFA(tx, s.names(ctx), protocol.Val(in.SerialNumber))
		if err != nil {
			return err
		}
		d.Tags = userTagRules.remove(d.Tags, in.TagKeys)
		return putMFA(tx, d)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) ListMFADeviceTags(ctx context.Context, in *iamapi.ListMFADeviceTagsRequest) (*iamapi.ListMFADeviceTagsResponse, error) {
	p, err := s.listTags(ctx, userTagRules, in.Marker, in.MaxItems, func(tx *storage.Tx) ([]storage.Tag, error) {
		d, err := getMFA(tx, s.names(ctx), protocol.Val(in.SerialNumber))
		return d.Tags, err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ListMFADeviceTagsResponse{Tags: p.Items, IsTruncated: p.IsTruncated(), Marker: p.Marker}, nil
}
