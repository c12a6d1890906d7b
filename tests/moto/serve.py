#!/usr/bin/env python3
"""A local EC2 endpoint for ec2-sg's end-to-end tests: moto's server on 127.0.0.1 with SigV4
signature checks on: with INITIAL_NO_AUTH_ACTION_COUNT=N, moto lets N requests
through and then recomputes the SigV4 signature of every request from its IAM users' secrets.

It picks a free port, bootstraps an IAM user allowed `ec2:*` (and the STS calls the tests make)
and a role to assume for session credentials, prints ONE JSON line (endpoint, the user's key and
secret, the role's ARN, and temporary credentials with a session token), then serves until the process that started it exits, or
until --max-seconds, whichever comes first. It never listens beyond 127.0.0.1.

With --no-auth, moto checks no signatures: for calls that are sent unsigned
(AssumeRoleWithWebIdentity), which moto refuses once its checks are on.
"""
import argparse
import json
import os
import socket
import sys
import time

# Bootstrap calls that run before signature checks start: IAM CreateUser, CreateAccessKey,
# PutUserPolicy, CreateRole, PutRolePolicy, STS AssumeRole.
BOOTSTRAP_CALLS = 6

ALLOW_EC2 = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["ec2:*", "sts:AssumeRole", "sts:GetCallerIdentity"], "Resource": "*"}
        ],
    }
)
TRUST_ANYONE = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-seconds", type=float, default=900.0)
    parser.add_argument("--no-auth", action="store_true")
    args = parser.parse_args()
    # moto reads this when it is imported.
    if not args.no_auth:
        os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = str(BOOTSTRAP_CALLS)

    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError as e:
        sys.exit(f"moto is not installed ({e}); `cargo xtask test` makes target/py-env with it")

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        bootstrap = dict(
            endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap"
        )
        iam = boto3.client("iam", **bootstrap)
        iam.create_user(UserName="ec2-sg-tests")
        key = iam.create_access_key(UserName="ec2-sg-tests")["AccessKey"]
        iam.put_user_policy(UserName="ec2-sg-tests", PolicyName="ec2", PolicyDocument=ALLOW_EC2)
        role = iam.create_role(RoleName="ec2-sg-tests", AssumeRolePolicyDocument=TRUST_ANYONE)["Role"]
        iam.put_role_policy(RoleName="ec2-sg-tests", PolicyName="ec2", PolicyDocument=ALLOW_EC2)
        sts = boto3.client("sts", **bootstrap)
        session = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ec2-sg-tests")["Credentials"]
        print(
            json.dumps(
                {
                    "endpoint": endpoint,
                    "access_key_id": key["AccessKeyId"],
                    "secret_access_key": key["SecretAccessKey"],
                    "role_arn": role["Arn"],
                    "session_access_key_id": session["AccessKeyId"],
                    "session_secret_access_key": session["SecretAccessKey"],
                    "session_token": session["SessionToken"],
                    "pid": os.getpid(),
                }
            ),
            flush=True,
        )
        parent = os.getppid()
        deadline = time.monotonic() + args.max_seconds
        # Bounded: stop when the parent is gone (re-parented) or the time limit passes.
        while os.getppid() == parent and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
