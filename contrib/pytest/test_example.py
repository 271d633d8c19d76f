"""Example tests using the iamlocal fixtures; CI runs them with Debian's pytest (.ci/run)."""

import botocore.exceptions
import pytest

from iamlocal_fixture import iamlocal, iamlocal_server  # noqa: F401  (fixtures)

TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'


def user_names(iamlocal):  # noqa: F811
    return [u["UserName"] for u in iamlocal.client("iam").list_users()["Users"]]


def test_create_user(iamlocal):  # noqa: F811
    iamlocal.client("iam").create_user(UserName="alice")
    assert user_names(iamlocal) == ["alice"]


def test_each_test_starts_from_the_session_state(iamlocal):  # noqa: F811
    # test_create_user's alice is gone: the fixture restored the state the session started with.
    assert user_names(iamlocal) == []


def test_user_credentials_are_authorized(iamlocal):  # noqa: F811
    iam = iamlocal.client("iam")
    iam.create_user(UserName="bob")
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    bob = iamlocal.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    with pytest.raises(botocore.exceptions.ClientError) as denied:
        bob.list_roles()
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    iam.attach_user_policy(UserName="bob", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    assert bob.list_roles()["Roles"] == []


def test_snapshot_and_restore(iamlocal):  # noqa: F811
    iam = iamlocal.client("iam")
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=TRUST)
    iamlocal.snapshot("with-app-role")
    iam.delete_role(RoleName="app")
    iamlocal.restore("with-app-role")
    assert iam.get_role(RoleName="app")["Role"]["Arn"] == "arn:aws:iam::123456789012:role/app"


def test_export_and_import_state(iamlocal):  # noqa: F811
    iam = iamlocal.client("iam")
    iam.create_user(UserName="exported")
    state = iamlocal.export_state()
    assert state["format"] == "iamlocal-state" and state["version"] == 1
    iamlocal.reset()
    assert user_names(iamlocal) == []
    iamlocal.import_state(state)
    assert user_names(iamlocal) == ["exported"]
