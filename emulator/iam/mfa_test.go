package iam

import (
	"bytes"
	"image/png"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
)

// RFC 6238 Appendix B, SHA-1 test vectors, truncated to the 6 digits IAM uses.
func TestTOTPVectors(t *testing.T) {
	t.Parallel()
	seed := seedEncoding.EncodeToString([]byte("12345678901234567890"))
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
	} {
		if got := totp(seed, totpStepAt(time.Unix(tc.unix, 0))); got != tc.want {
			t.Errorf("totp(T=%d) = %s, want %s", tc.unix, got, tc.want)
		}
	}
}

// newMFA creates a virtual device and returns its serial and seed.
func (e *idEnv) newMFA(name string) (serial, seed string) {
	e.t.Helper()
	out, err := e.s.CreateVirtualMFADevice(e.root, &iamapi.CreateVirtualMFADeviceRequest{VirtualMFADeviceName: &name})
	idOK(e.t, err)
	return *out.VirtualMFADevice.SerialNumber, string(out.VirtualMFADevice.Base32StringSeed)
}

// codes returns the two consecutive codes an authenticator shows at time t (the previous and
// the current one, as pyotp-based tests against AWS send them).
func codes(seed string, t time.Time) (*string, *string) {
	n := totpStepAt(t)
	c1, c2 := totp(seed, n-1), totp(seed, n)
	return &c1, &c2
}

// enabledMFA creates a device and enables it for user with valid codes.
func (e *idEnv) enabledMFA(user, name string) string {
	e.t.Helper()
	serial, seed := e.newMFA(name)
	c1, c2 := codes(seed, e.now)
	_, err := e.s.EnableMFADevice(e.root, &iamapi.EnableMFADeviceRequest{UserName: &user, SerialNumber: &serial,
		AuthenticationCode1: c1, AuthenticationCode2: c2})
	idOK(e.t, err)
	return serial
}

func TestVirtualMFALifecycle(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("u")
	out, err := e.s.CreateVirtualMFADevice(e.root, &iamapi.CreateVirtualMFADeviceRequest{VirtualMFADeviceName: idp("phone"), Path: idp("/team/"),
		Tags: []iamapi.Tag{{Key: idp("k"), Value: idp("v")}}})
	idOK(t, err)
	d := out.VirtualMFADevice
	serial, seed := *d.SerialNumber, string(d.Base32StringSeed)
	if serial != "arn:aws:iam::123456789012:mfa/team/phone" || len(seed) != 32 || len(d.Tags) != 1 {
		t.Fatalf("device = %q seed %q tags %v", serial, seed, d.Tags)
	}
	if _, err := png.Decode(bytes.NewReader(d.QRCodePNG)); err != nil {
		t.Fatalf("QRCodePNG is not a PNG: %v", err)
	}
	_, err = e.s.CreateVirtualMFADevice(e.root, &iamapi.CreateVirtualMFADeviceRequest{VirtualMFADeviceName: idp("PHONE")})
	idCode(t, err, "EntityAlreadyExists", "MFA device already exists.")

	// Wrong codes, codes in the wrong order and codes from long ago are refused.
	c1, c2 := codes(seed, e.now)
	for _, bad := range [][2]*string{{idp("000000"), idp("111111")}, {c2, c1}} {
		_, err = e.s.EnableMFADevice(e.root, &iamapi.EnableMFADeviceRequest{UserName: idp("u"), SerialNumber: &serial, AuthenticationCode1: bad[0], AuthenticationCode2: bad[1]})
		idCode(t, err, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
	}
	o1, o2 := codes(seed, e.now.Add(-10*time.Minute))
	_, err = e.s.EnableMFADevice(e.root, &iamapi.EnableMFADeviceRequest{UserName: idp("u"), SerialNumber: &serial, AuthenticationCode1: o1, AuthenticationCode2: o2})
	idCode(t, err, "InvalidAuthenticationCode")
	_, err = e.s.EnableMFADevice(e.root, &iamapi.EnableMFADeviceRequest{UserName: idp("nobody"), SerialNumber: &serial, AuthenticationCode1: c1, AuthenticationCode2: c2})
	idCode(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
	_, err = e.s.EnableMFADevice(e.root, &iamapi.EnableMFADeviceRequest{UserName: idp("u"), SerialNumber: &serial, AuthenticationCode1: c1, AuthenticationCode2: c2})
	idOK(t, err)
	_, err = e.s.EnableMFADevice(e.root, &iamapi.EnableMFADeviceRequest{UserName: idp("u"), SerialNumber: &serial, AuthenticationCode1: c1, AuthenticationCode2: c2})
	idCode(t, err, "EntityAlreadyExists", "MFA Device is already in use.")

	list, err := e.s.ListMFADevices(e.asUser("u"), &iamapi.ListMFADevicesRequest{})
	idOK(t, err)
	if len(list.MFADevices) != 1 || *list.MFADevices[0].SerialNumber != serial || !list.MFADevices[0].EnableDate.Equal(idNow) {
		t.Fatalf("ListMFADevices = %+v", list.MFADevices)
	}
	got, err := e.s.GetMFADevice(e.root, &iamapi.GetMFADeviceRequest{SerialNumber: &serial, UserName: idp("u")})
	idOK(t, err)
	if *got.UserName != "u" || *got.SerialNumber != serial {
		t.Fatalf("GetMFADevice = %+v", got)
	}
	_, err = e.s.DeleteVirtualMFADevice(e.root, &iamapi.DeleteVirtualMFADeviceRequest{SerialNumber: &serial})
	idCode(t, err, "DeleteConflict")

	// Resync accepts codes from a drifted clock, but not a replay of used codes.
	later := e.now.Add(20 * time.Minute)
	r1, r2 := codes(seed, later)
	_, err = e.s.ResyncMFADevice(e.root, &iamapi.ResyncMFADeviceRequest{UserName: idp("u"), SerialNumber: &serial, AuthenticationCode1: r1, AuthenticationCode2: r2})
	idOK(t, err)
	_, err = e.s.ResyncMFADevice(e.root, &iamapi.ResyncMFADeviceRequest{UserName: idp("u"), SerialNumber: &serial, AuthenticationCode1: r1, AuthenticationCode2: r2})
	idCode(t, err, "InvalidAuthenticationCode")

	_, err = e.s.DeactivateMFADevice(e.root, &iamapi.DeactivateMFADeviceRequest{UserName: idp("u"), SerialNumber: idp("arn:aws:iam::123456789012:mfa/nonexistent-mfa")})
	idCode(t, err, "NoSuchEntity", "MFA Device with serial number arn:aws:iam::123456789012:mfa/nonexistent-mfa does not exist.")
	_, err = e.s.DeactivateMFADevice(e.asUser("u"), &iamapi.DeactivateMFADeviceRequest{SerialNumber: &serial})
	idOK(t, err)
	list, err = e.s.ListMFADevices(e.root, &iamapi.ListMFADevicesRequest{UserName: idp("u")})
	idOK(t, err)
	if len(list.MFADevices) != 0 {
		t.Fatalf("after deactivate: %+v", list.MFADevices)
	}
	_, err = e.s.DeleteVirtualMFADevice(e.root, &iamapi.DeleteVirtualMFADeviceRequest{SerialNumber: &serial})
	idOK(t, err)
	_, err = e.s.DeleteVirtualMFADevice(e.root, &iamapi.DeleteVirtualMFADeviceRequest{SerialNumber: &serial})
	idCode(t, err, "NoSuchEntity", "MFA Device with serial number "+serial+" does not exist.")
}

func TestListVirtualMFADevicesAssignmentStatus(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("u")
	e.newMFA("a")
	assigned := e.enabledMFA("u", "b")
	e.newMFA("c")
	count := func(status string) (n int, users int) {
		in := &iamapi.ListVirtualMFADevicesRequest{}
		if status != "" {
			in.AssignmentStatus = &status
		}
		out, err := e.s.ListVirtualMFADevices(e.root, in)
		idOK(t, err)
		for _, d := range out.VirtualMFADevices {
			if d.Base32StringSeed != nil || d.QRCodePNG != nil {
				t.Fatal("seeds must never be listed")
			}
			if d.User != nil {
				users++
				if *d.SerialNumber != assigned || *d.User.UserName != "u" || d.EnableDate == nil {
					t.Fatalf("assigned device = %+v", d)
				}
			}
		}
		return len(out.VirtualMFADevices), users
	}
	for status, want := range map[string][2]int{"": {3, 1}, "Any": {3, 1}, "Assigned": {1, 1}, "Unassigned": {2, 0}} {
		if n, users := count(status); n != want[0] || users != want[1] {
			t.Errorf("status %q: %d devices (%d with user), want %v", status, n, users, want)
		}
	}
	page, err := e.s.ListVirtualMFADevices(e.root, &iamapi.ListVirtualMFADevicesRequest{MaxItems: idp(int32(1))})
	idOK(t, err)
	if len(page.VirtualMFADevices) != 1 || !*page.IsTruncated || page.Marker == nil {
		t.Fatalf("first page = %+v", page)
	}
	_, err = e.s.ListVirtualMFADevices(e.root, &iamapi.ListVirtualMFADevicesRequest{Marker: idp("invalid-marker-value")})
	idCode(t, err, "ValidationError", "Invalid Marker.")
}

func TestMFADeviceTags(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	serial, _ := e.newMFA("d")
	_, err := e.s.TagMFADevice(e.root, &iamapi.TagMFADeviceRequest{SerialNumber: &serial, Tags: []iamapi.Tag{{Key: idp("a"), Value: idp("1")}, {Key: idp("b"), Value: idp("2")}}})
	idOK(t, err)
	_, err = e.s.UntagMFADevice(e.root, &iamapi.UntagMFADeviceRequest{SerialNumber: &serial, TagKeys: []string{"a"}})
	idOK(t, err)
	out, err := e.s.ListMFADeviceTags(e.root, &iamapi.ListMFADeviceTagsRequest{SerialNumber: &serial})
	idOK(t, err)
	if len(out.Tags) != 1 || *out.Tags[0].Key != "b" {
		t.Fatalf("tags = %+v", out.Tags)
	}
	missing := "arn:aws:iam::123456789012:mfa/none"
	_, err = e.s.TagMFADevice(e.root, &iamapi.TagMFADeviceRequest{SerialNumber: &missing, Tags: []iamapi.Tag{{Key: idp("a"), Value: idp("1")}}})
	idCode(t, err, "NoSuchEntity")
	_, err = e.s.ListMFADeviceTags(e.root, &iamapi.ListMFADeviceTagsRequest{SerialNumber: idp("arn:aws:iam::999999999999:mfa/d")})
	idCode(t, err, "NoSuchEntity")
}
