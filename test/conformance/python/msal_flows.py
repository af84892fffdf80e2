"""MSAL Python conformance driver: runs one flow per command against the emulator, configured as a user would.

Reads one JSON command per line on stdin ({"run": "<flow>"}) and writes JSON lines on stdout: {"event": ...} when the
flow needs a person (a sign-in page, a device code; the Node test answers with one line on stdin), then
{"result": {...}} with what the flow got. Apps and their token cache live for the whole process, so later flows (silent,
refresh, cache) reuse what earlier ones obtained. Configuration comes from the CONFORMANCE_CONFIG environment variable;
trust in the emulator's test CA from REQUESTS_CA_BUNDLE, as for any requests-based program.
"""
import json
import os
import sys

import msal
import requests

CONFIG = json.loads(os.environ["CONFORMANCE_CONFIG"])
RESOLVED = set()  # every host name this process looked up (audit hook: observes, changes nothing)
sys.addaudithook(lambda event, args: RESOLVED.add(str(args[0])) if event == "socket.getaddrinfo" else None)
AUTHORITY = CONFIG["authority"]  # https://localhost:<port>/<tenant id>
GRAPH = CONFIG["graph"]  # https://localhost:<port>/v1.0
CACHE = msal.SerializableTokenCache()
# validate_authority=False: the authority is not one of Microsoft's hosts; MSAL then skips instance discovery
# (login.microsoftonline.com/common/discovery/instance) and reads {authority}/v2.0/.well-known/openid-configuration.
OPTIONS = {"authority": AUTHORITY, "validate_authority": False, "token_cache": CACHE}
CONFIDENTIAL = msal.ConfidentialClientApplication(
    CONFIG["clientId"], client_credential=CONFIG["clientSecret"], **OPTIONS
)
PUBLIC = msal.PublicClientApplication(CONFIG["clientId"], **OPTIONS)
DELEGATED = ["User.Read", "Mail.Send"]
GRAPH_DEFAULT = ["https://graph.microsoft.com/.default"]


def emit(message):
    print(json.dumps(message), flush=True)


def ask(event):
    """An event the Node test acts on (a page to sign in at, a code to enter); its one-line answer."""
    emit({"event": event})
    return json.loads(sys.stdin.readline())


def outcome(result):
    """What a token result says: the token (the test verifies its signature) or the error, as MSAL returns it."""
    if "access_token" in result:
        return {
            "accessToken": result["access_token"],
            "tokenType": result.get("token_type"),
            "hasRefreshToken": "refresh_token" in result,
            "idTokenClaims": result.get("id_token_claims"),
        }
    return {key: result.get(key) for key in ("error", "error_description", "error_codes")}


def graph(path, token, method="GET", body=None):
    response = requests.request(
        method, GRAPH + path, headers={"Authorization": "Bearer " + token}, json=body, timeout=30
    )
    return {"status": response.status_code, "body": response.json() if response.content else None}


def client_credentials_secret():
    result = outcome(CONFIDENTIAL.acquire_token_for_client(GRAPH_DEFAULT))
    user = CONFIG["users"][1]["userPrincipalName"]
    return dict(result, graph=graph("/users/" + user, result.get("accessToken", "")))


def client_credentials_certificate():
    certificate = CONFIG["certificate"]
    app = msal.ConfidentialClientApplication(
        CONFIG["clientId"],
        client_credential={
            "private_key": certificate["privateKeyPem"],
            "thumbprint": certificate["thumbprintSha1"],
            "public_certificate": certificate["certificatePem"],  # sent as x5c
        },
        authority=AUTHORITY,
        validate_authority=False,
    )
    return outcome(app.acquire_token_for_client(GRAPH_DEFAULT))


def auth_code():
    flow = CONFIDENTIAL.initiate_auth_code_flow(DELEGATED, redirect_uri=CONFIG["redirectUri"])
    answer = ask({"kind": "authorize", "url": flow["auth_uri"], "user": 0})
    result = outcome(CONFIDENTIAL.acquire_token_by_auth_code_flow(flow, answer["query"]))
    return dict(result, nonce=flow.get("nonce"), me=graph("/me", result.get("accessToken", "")))


def silent_from_cache():
    accounts = CONFIDENTIAL.get_accounts()
    result = CONFIDENTIAL.acquire_token_silent(DELEGATED, account=accounts[0]) if accounts else {}
    return dict(outcome(result or {}), accounts=[account["username"] for account in accounts])


def refresh():
    account = CONFIDENTIAL.get_accounts()[0]
    before = CONFIDENTIAL.acquire_token_silent(DELEGATED, account=account)
    after = CONFIDENTIAL.acquire_token_silent(DELEGATED, account=account, force_refresh=True)
    return dict(outcome(after or {}), previous=(before or {}).get("access_token"))


def cache_round_trip():
    """The cache serialized (as an app saves it to a file) and loaded into a new app answers silently."""
    saved = CACHE.serialize()
    loaded = msal.SerializableTokenCache()
    loaded.deserialize(saved)
    app = msal.ConfidentialClientApplication(
        CONFIG["clientId"],
        client_credential=CONFIG["clientSecret"],
        authority=AUTHORITY,
        validate_authority=False,
        token_cache=loaded,
    )
    accounts = app.get_accounts()
    result = app.acquire_token_silent(DELEGATED, account=accounts[0]) if accounts else None
    return dict(
        outcome(result or {}),
        accounts=[account["username"] for account in accounts],
        sections=sorted(json.loads(saved)),
    )


def device_code():
    flow = PUBLIC.initiate_device_flow(scopes=["User.Read"])
    if "user_code" not in flow:
        return outcome(flow)
    ask({"kind": "device", "verificationUri": flow["verification_uri"], "userCode": flow["user_code"], "user": 3})
    result = outcome(PUBLIC.acquire_token_by_device_flow(flow))
    return dict(result, me=graph("/me", result.get("accessToken", "")))


def ropc(password=None):
    user = CONFIG["users"][4]
    try:
        result = PUBLIC.acquire_token_by_username_password(
            user["userPrincipalName"], password or user["password"], scopes=["User.Read"]
        )
    except requests.exceptions.RequestException as error:
        return {"exception": type(error).__name__, "url": getattr(error.request, "url", None)}
    return outcome(result)


def remove_account():
    for account in PUBLIC.get_accounts():
        PUBLIC.remove_account(account)
    return {"accounts": [account["username"] for account in PUBLIC.get_accounts()]}


def send_mail():
    account = CONFIDENTIAL.get_accounts()[0]
    token = CONFIDENTIAL.acquire_token_silent(DELEGATED, account=account)["access_token"]
    to = CONFIG["users"][2]["userPrincipalName"]
    message = {"subject": "From MSAL Python", "toRecipients": [{"emailAddress": {"address": to}}]}
    return graph("/me/sendMail", token, "POST", {"message": message})


def list_users():
    token = CONFIDENTIAL.acquire_token_for_client(GRAPH_DEFAULT)["access_token"]
    return graph("/users", token)


FLOWS = {
    "client_credentials_secret": client_credentials_secret,
    "client_credentials_certificate": client_credentials_certificate,
    "auth_code": auth_code,
    "silent_from_cache": silent_from_cache,
    "refresh": refresh,
    "cache_round_trip": cache_round_trip,
    "send_mail": send_mail,
    "device_code": device_code,
    "ropc": ropc,
    "ropc_wrong_password": lambda: ropc("wrong"),
    "remove_account": remove_account,
    "list_users": list_users,
    "resolved_hosts": lambda: {"hosts": sorted(RESOLVED)},
}

emit({"ready": {"msal": msal.__version__, "requests": requests.__version__, "python": sys.version.split()[0]}})
for line in sys.stdin:
    command = json.loads(line)
    try:
        emit({"result": FLOWS[command["run"]]()})
    except Exception as error:  # the test reports it as the flow's failure
        emit({"result": {"exception": type(error).__name__, "message": str(error)}})
