"""``verify``, ``checkpoint`` and ``keys``: the evidence that the record is unchanged."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from detainer_desk.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    county_zone_of,
    input_limits,
    open_store,
    read_input_file,
    write_new,
)
from detainer_desk.cli.signin import signed_in


def cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    """The whole store: the chain (and every attachment's bytes), rows outside it, the file,
    accounts and settings, derived rows; and the last checkpoint this installation made."""
    from detainer_desk.services.checkpoints import verify_record

    if args.checkpoint:
        return _verify_checkpoint(args, out)
    runtime = open_store(args)
    try:
        result = verify_record(runtime.ledger(), runtime.signer(), county_zone_of(runtime))
    finally:
        runtime.close()
    if not result.ok:
        out.write(f"VERIFY FAILED after {result.checked} good entries: {result.message}\n")
        return EXIT_FAILED
    out.write(f"{result.checked} entries verified; chain head {result.head_hash}\n")
    if result.message:
        out.write(result.message + "\n")
    return EXIT_OK


def _verify_checkpoint(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.runtime import signature_check
    from detainer_desk.services.checkpoints import (
        UntrustedCheckpoint,
        check_trust,
        kept_checkpoint,
        read_checkpoint,
        verify_against_checkpoint,
    )
    from detainer_desk.services.trust import fingerprint, trusted_keys

    text = read_input_file(
        args.checkpoint, "checkpoint", input_limits().CHECKPOINT_FILE_BYTES
    ).decode("utf-8", errors="replace")
    try:
        checkpoint_file = read_checkpoint(text, args.checkpoint, signature_check())
    except UntrustedCheckpoint as exc:
        out.write(f"VERIFY FAILED: {exc}\n")
        return EXIT_FAILED
    runtime = open_store(args)
    try:
        signer = runtime.signer()
        own_key = signer.public_key_hex
        try:
            whose = check_trust(
                checkpoint_file,
                trusted_keys(runtime.uow(), own_key, signer.signature_is_valid),
                args.checkpoint,
            )
        except UntrustedCheckpoint as exc:
            out.write(f"VERIFY FAILED: {exc}\n")
            return EXIT_FAILED
        kept = kept_checkpoint(signer)
        result = verify_against_checkpoint(
            runtime.ledger(),
            checkpoint_file,
            *([kept] if kept is not None else []),
            zone=county_zone_of(runtime),
        )
    finally:
        runtime.close()
    key = checkpoint_file.checkpoint.public_key_hex
    if key != own_key:
        out.write(
            f"Note: this checkpoint was signed by the trusted key of {whose} ({fingerprint(key)}).\n"
        )
    if not result.ok:
        out.write(f"VERIFY FAILED: {result.message}\n")
        return EXIT_FAILED
    out.write(f"OK: {result.message}\n")
    return EXIT_OK


def cmd_keys(args: argparse.Namespace, out: TextIO) -> int:
    """This installation's checkpoint key, and the keys it trusts."""
    from detainer_desk.services.trust import fingerprint, trusted_keys

    runtime = open_store(args)
    try:
        signer = runtime.signer()
        own = signer.public_key_hex
        trusted = trusted_keys(runtime.uow(), own, signer.signature_is_valid)
    finally:
        runtime.close()
    out.write(f"This installation's checkpoint key: {own}\n  fingerprint {fingerprint(own)}\n")
    others = {key: label for key, label in trusted.items() if key != own}
    out.write("Also trusted:" + ("" if others else " no other key") + "\n")
    for key, label in sorted(others.items(), key=lambda item: item[1]):
        out.write(f"  {key}  {label}\n")
    return EXIT_OK


def cmd_keys_trust(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.services.trust import fingerprint, set_trust

    trusted = args.keys_command == "trust"
    with signed_in(args) as (runtime, actor):
        entry = set_trust(
            runtime.uow(),
            runtime.signer(),
            runtime.signer().signature_is_valid,
            actor,
            args.key,
            trusted,
            args.label or "",
            runtime.clock(),
        )
    what = "now trusts" if trusted else "no longer trusts"
    out.write(f"This installation {what} the key {fingerprint(entry.key)} ({entry.label}).\n")
    return EXIT_OK


def cmd_checkpoint(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.services.checkpoints import CheckpointFile, create_checkpoint
    from detainer_desk.services.steps import result_of

    with signed_in(args) as (runtime, actor):
        steps = create_checkpoint(
            runtime.uow(), runtime.ledger(), runtime.signer(), actor, runtime.clock()
        )
        result = result_of(steps, CheckpointFile)
        folder = Path(args.out) if args.out else runtime.paths.data_dir / "checkpoints"
        checkpoint = result.checkpoint
        stem = checkpoint.file_stem()
        target = write_new(folder, f"{stem}.json", result.to_json().encode(), runtime)
        out.write(f"Checkpoint of {checkpoint.entries} entries, head {checkpoint.head_hash}\n")
        out.write(f"Saved {target}\n")
        pdf = _checkpoint_pdf(runtime, actor, checkpoint)
        if pdf is not None:
            saved = write_new(folder, f"{stem}.pdf", pdf, runtime)
            out.write(f"Saved {saved} (print, sign and file it)\n")
    return EXIT_OK


def _checkpoint_pdf(runtime: Any, actor: Any, checkpoint: Any) -> bytes:
    from detainer_desk.services.documents import report_context

    context = report_context(runtime.uow(), actor, runtime.clock())
    pdf: bytes = runtime.documents.render_checkpoint_pdf(checkpoint, context)
    return pdf


# -- the commands' parsers ------------------------------------------------------------


def add_verify_parser(commands: Any, common: Any, auth: Any) -> None:
    verify = commands.add_parser(
        "verify", parents=[common], help="recompute the whole hash chain and every attachment hash"
    )
    verify.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="also prove the record extends this signed checkpoint unchanged",
    )
    verify.set_defaults(handler=cmd_verify)


def add_checkpoint_parser(commands: Any, common: Any, auth: Any) -> None:
    checkpoint = commands.add_parser(
        "checkpoint",
        parents=[common, auth],
        help="verify the record and write a signed checkpoint of it (JSON and a PDF to sign)",
    )
    checkpoint.add_argument(
        "--out", metavar="DIR", help="folder for the files (default: data folder/checkpoints)"
    )
    checkpoint.set_defaults(handler=cmd_checkpoint)


def add_keys_parsers(commands: Any, common: Any, auth: Any) -> None:
    keys = commands.add_parser(
        "keys",
        parents=[common],
        help="this installation's checkpoint key and the keys it trusts",
    )
    keys.set_defaults(handler=cmd_keys)
    keys_commands = keys.add_subparsers(dest="keys_command", metavar="COMMAND")
    for name, words in (
        ("trust", "accept checkpoints signed by another workstation's (or installation's) key"),
        ("untrust", "stop accepting checkpoints signed by a key"),
    ):
        choice = keys_commands.add_parser(name, parents=[common, auth], help=words)
        choice.add_argument("key", metavar="KEY", help="the public key: 64 hexadecimal digits")
        if name == "trust":
            choice.add_argument(
                "--label", required=True, help="whose key it is (kept with it in the record)"
            )
        choice.set_defaults(handler=cmd_keys_trust, label=None)
