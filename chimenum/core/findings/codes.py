"""Every finding code: its severity for ``describe`` and for ``audit``, what raises it, and the
AWS behaviour the rule rests on. ``docs/describe.md``'s table is generated from :data:`CODES`.

``describe`` answers "can this number take calls": a number that cannot is an error there.
``audit`` judges an inventory, where an unused number is worth knowing (it costs) but not broken.
"""

from __future__ import annotations

from typing import NamedTuple

ERROR, WARNING, INFO = "error", "warning", "info"
#: Severities, most severe first.
SEVERITIES = (ERROR, WARNING, INFO)
DESCRIBE, AUDIT = "describe", "audit"
COMMANDS = (DESCRIBE, AUDIT)


class Code(NamedTuple):
    describe: str
    audit: str
    #: What was seen to raise it.
    when: str
    #: The AWS behaviour the rule rests on.
    rests_on: str


E, W, I = ERROR, WARNING, INFO  # noqa: E741 - the table below reads as a table

CODES: dict[str, Code] = {
    "NUMBER_ACQUIRE_FAILED": Code(
        E, E, "The number's status is AcquireFailed.",
        "A number that failed to be acquired was never provisioned and stays so until ordered"
        " again.",
    ),
    "NUMBER_DELETE_FAILED": Code(
        E, E, "The number's status is DeleteFailed.",
        "A failed deletion leaves the number out of service until the deletion is retried.",
    ),
    "NUMBER_RELEASE_FAILED": Code(
        E, E, "The number's status is ReleaseFailed.",
        "A failed release leaves the number out of service until the release is retried.",
    ),
    "NUMBER_UNASSIGNED": Code(
        E, I, "The number's status is Unassigned.",
        "An unassigned number routes no call (no voice connector, SIP rule or user) and is"
        " still billed monthly.",
    ),
    "NUMBER_NOT_YET_ACTIVE": Code(
        E, I, "The number's status is AcquireInProgress, PortinInProgress or"
        " PortinCancelRequested.",
        "A number takes calls once it is acquired or ported in and assigned.",
    ),
    "NUMBER_PENDING_DELETION": Code(
        E, W, "The number's status is DeleteInProgress or ReleaseInProgress (in the deletion"
        " queue); the message says when it was deleted and until when it can be restored.",
        "DeletePhoneNumber moves a number to the deletion queue for 7 days, where"
        " RestorePhoneNumber can bring it back; then it is released.",
    ),
    "NUMBER_PORTIN_CANCELLED": Code(
        E, W, "The number's status is Cancelled.",
        "A cancelled port-in leaves the number with its previous carrier.",
    ),
    "NUMBER_STUCK_IN_PROGRESS": Code(
        W, W, "AcquireInProgress for more than a day since its last update; in the deletion"
        " queue more than a day past its 7 days; a port-in more than a day past its order's"
        " FOC date (a port-in without a FOC date is never called stuck).",
        "Acquiring takes minutes and the deletion queue 7 days; a port-in completes on its"
        " firm order commitment (FOC) date, weeks after it is requested.",
    ),
    "CALLING_NAME_UPDATE_FAILED": Code(
        W, W, "The number's CallingNameStatus is UpdateFailed.",
        "A failed calling-name update leaves the previous calling name in place.",
    ),
    "DANGLING_ASSOCIATION": Code(
        E, E, "Every region searched answered NotFoundException for the voice connector,"
        " group, SIP rule, account or user an association names.",
        "The service refuses to delete a connector, group or rule that still has numbers, so"
        " this is rare: only an answer of not found from every region is taken to mean it.",
    ),
    "NOT_PERMITTED": Code(
        W, W, "A related resource's lookup was refused (AccessDenied/Forbidden) in the region"
        " named; it was not checked.",
        "A 403 says the caller may not read it (IAM, a service control policy), nothing about"
        " whether it exists.",
    ),
    "LOOKUP_FAILED": Code(
        W, W, "A related resource could not be read in the region named (still throttled,"
        " 5xx, network, a bad answer); it was not checked and the exit code names the failure.",
        "A throttled or failed request says nothing about the resource.",
    ),
    "FANOUT_CAPPED": Code(
        W, W, "A SIP rule answered more than 25 TargetApplications, a voice connector group"
        " more than 100 VoiceConnectorItems, or an origination more than 100 Routes: only the"
        " first ones (by priority; routes in their order) were followed or checked.",
        "A SIP rule has at most 25 target applications (the API's limit); groups and"
        " origination routes are kept small by service quotas, so an answer past the cap is"
        " not followed further.",
    ),
    "ORIGINATION_NOT_CONFIGURED": Code(
        E, E, "GetVoiceConnectorOrigination answered NotFoundException.",
        "Without origination settings a voice connector sends inbound calls nowhere.",
    ),
    "ORIGINATION_DISABLED": Code(
        E, E, "The origination's Disabled is true.",
        "Disabled origination refuses inbound calls.",
    ),
    "ORIGINATION_NO_ROUTES": Code(
        E, E, "The origination has no Routes.",
        "Inbound calls go only to the origination's routes.",
    ),
    "ORIGINATION_ROUTE_UNENCRYPTED": Code(
        W, W, "A route uses UDP or port 5060 on a voice connector that requires encryption.",
        "With RequireEncryption, calls are sent with TLS (TCP, usually port 5061) and SRTP;"
        " UDP cannot carry TLS and 5060 is the plain SIP port.",
    ),
    "CONNECTOR_UNENCRYPTED": Code(
        I, I, "The voice connector's RequireEncryption is false.",
        "Without RequireEncryption, SIP and media may travel in clear text.",
    ),
    "TERMINATION_NOT_CONFIGURED": Code(
        W, W, "GetVoiceConnectorTermination answered NotFoundException.",
        "Without termination settings a voice connector carries no outbound call.",
    ),
    "TERMINATION_DISABLED": Code(
        W, W, "The termination's Disabled is true.", "Disabled termination refuses outbound calls."
    ),
    "TERMINATION_NO_ACCESS": Code(
        W, W, "Termination is enabled with an empty CidrAllowedList and no SIP credentials"
        " (ListVoiceConnectorTerminationCredentials).",
        "Termination accepts calls only from an allowed CIDR or with SIP digest credentials:"
        " no PBX can send calls.",
    ),
    "TERMINATION_NO_CALLING_REGIONS": Code(
        W, W, "Termination is enabled with no CallingRegions.",
        "Outbound calls are allowed only to the countries in CallingRegions.",
    ),
    "TERMINATION_PING_STALE": Code(
        W, W, "Termination is enabled and the last SIP OPTIONS ping from the PBX"
        " (GetVoiceConnectorTerminationHealth) is older than 15 minutes, or there is none.",
        "Termination health is the time and source of the last SIP OPTIONS ping the voice"
        " connector received; a PBX that sends calls pings it regularly.",
    ),
    "GROUP_NO_CONNECTOR": Code(
        E, E, "The voice connector group has no VoiceConnectorItems.",
        "A group routes calls only to its voice connectors.",
    ),
    "GROUP_CONNECTOR_MISSING": Code(
        E, E, "Every region searched answered NotFoundException for a connector of the group.",
        "A group's connectors may be in several regions; each region is asked.",
    ),
    "SIP_RULE_DISABLED": Code(
        E, E, "The SIP rule's Disabled is true.", "A disabled SIP rule routes no call."
    ),
    "SIP_RULE_NO_TARGET": Code(
        E, E, "The SIP rule has no TargetApplications (the model does not require them).",
        "A SIP rule sends calls only to its target applications.",
    ),
    "SIP_RULE_OTHER_NUMBER": Code(
        W, W, "The rule's ToPhoneNumber trigger, normalised to E.164, is another number.",
        "A ToPhoneNumber rule is triggered by calls to its TriggerValue only.",
    ),
    "SIP_MEDIA_APPLICATION_MISSING": Code(
        E, E, "A target application is not in the target's AwsRegion (NotFoundException)"
        " nor found in any other region.",
        "A SIP rule target names the application's region; calls go to that region only.",
    ),
    "SIP_MEDIA_APPLICATION_OTHER_REGION": Code(
        E, E, "A target application is not in the region the rule routes to (its AwsRegion)"
        " but exists in another region.",
        "A SIP rule target names the application's region; calls go to that region only.",
    ),
    "SIP_MEDIA_APPLICATION_NO_ENDPOINT": Code(
        E, E, "The SIP media application has no Endpoints (the model does not require them).",
        "An application hands calls to its endpoint's Lambda function.",
    ),
    "SIP_MEDIA_APPLICATION_LAMBDA_OTHER_REGION": Code(
        E, E, "An endpoint's LambdaArn is in another region than the application.",
        "The API requires a SIP media application's Lambda function in the application's"
        " region.",
    ),
    "ORDER_FAILED": Code(
        W, W, "This number's own entry in the order's OrderedPhoneNumbers is Failed (or the"
        " order Failed and has no entry for it); a Partial order whose entry for this number"
        " is Acquired raises nothing.",
        "An order's status sums up all its numbers; each number's result is its own entry.",
    ),
    "ORDER_NOT_FOUND": Code(
        I, I, "GetPhoneNumberOrder answered NotFoundException.",
        "Orders are not kept forever.",
    ),
    "PORTIN_DOCUMENTS_PENDING": Code(
        W, W, "The number's porting order is PendingDocuments.",
        "A port-in waits for the owner's documents (letter of authorization, a recent bill)"
        " before it is submitted to the previous carrier.",
    ),
    "PORTIN_CHANGE_REQUESTED": Code(
        W, W, "The number's porting order is ChangeRequested.",
        "AWS asked for a change to the port-in request; it waits for the owner's answer in"
        " the support case.",
    ),
    "PORTIN_EXCEPTION": Code(
        W, W, "The number's porting order is Exception.",
        "The port-in hit a problem (often rejected by the previous carrier) that the owner"
        " resolves with AWS Support.",
    ),
    "ACCOUNT_SUSPENDED": Code(
        W, W, "The Amazon Chime account's AccountStatus is Suspended.",
        "A suspended account's users cannot use Amazon Chime.",
    ),
    "USER_SUSPENDED": Code(
        W, W, "The Amazon Chime user's UserRegistrationStatus is Suspended.",
        "A suspended user cannot use Amazon Chime.",
    ),
    "MUTE_EXPIRED": Code(
        W, W, "A rule of --mutelist is past its Expires date; it mutes nothing (the finding"
        " names the file and line).",
        "Not AWS's: an accepted finding is accepted until a date, then looked at again.",
    ),
}  # fmt: skip


def severity(code: str, command: str) -> str:
    """``code``'s severity for ``command`` (``describe`` or ``audit``)."""
    entry = CODES[code]
    return entry.audit if command == AUDIT else entry.describe


def rank(severity: str) -> int:
    """0 for error, 1 for warning, 2 for info."""
    return SEVERITIES.index(severity)
