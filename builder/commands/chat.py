from __future__ import annotations

from pathlib import Path

import click


@click.command("chat")
@click.argument("bundle", type=click.Path(path_type=Path, file_okay=False))
@click.option("--prompt", "prompts", multiple=True, metavar="TEXT",
              help="Say TEXT and print the reply instead of asking; repeatable (one turn each).")
@click.option("--variant", default=None, metavar="NAME",
              help="The variant or recipe to chat with (a Core ML one runs in the MIL reference executor on Linux: slow). "
                   "Default: ExecuTorch int8-dynamic when the bundle has it, else its first ExecuTorch variant.")
@click.option("--system", default=None, metavar="TEXT", help="A system message (models with a chat template).")
@click.option("--max-new-tokens", type=click.IntRange(min=1), default=None,
              help="Longest reply, in tokens. Default: generation_config.json's max_new_tokens, else 256.")
@click.option("--sample/--greedy", "do_sample", default=None,
              help="Sample the reply, or take the most probable token each step. Default: generation_config.json's do_sample.")
@click.option("--temperature", type=click.FloatRange(min=0.0), default=None, help="Sampling temperature (default: the checkpoint's).")
@click.option("--top-k", type=click.IntRange(min=0), default=None, help="Sample among the k most probable tokens (0: all).")
@click.option("--top-p", type=click.FloatRange(min=0.0, max=1.0), default=None, help="Nucleus sampling threshold.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the sampler.")
def chat_command(bundle: Path, prompts: tuple[str, ...], variant: str | None, system: str | None, max_new_tokens: int | None,
                 do_sample: bool | None, temperature: float | None, top_k: int | None, top_p: float | None, seed: int) -> None:
    """Chat with a text-generation bundle's .pte (or .mlpackage) on this machine, as an app runs it.

    The conversation is formatted with the bundle's chat template (fixed strings derived at build time), the prompt
    prefilled and each token decoded through the program's cache; the reply streams as it is generated and ends at
    the model's end-of-turn token, with the time to the first token and the decode speed. Without --prompt, it asks
    for each message (an empty line ends the chat).

    \b
    Examples:
      edgepack chat dist/my-assistant
      edgepack chat dist/my-assistant --prompt "Where is my order?" --variant 8da4w
      edgepack chat dist/my-assistant --system "Answer in one sentence." --sample --temperature 0.7 --seed 1
    """
    from builder.quiet import quiet_toolchain

    with quiet_toolchain():
        from builder.chat import open_session

        session, chosen = open_session(bundle, variant, system, max_new_tokens,
                                       {"do_sample": do_sample, "temperature": temperature, "top_k": top_k, "top_p": top_p,
                                        "seed": seed})
    mode = "sampling" if session.sampling.do_sample else "greedy"
    click.secho(f"{chosen['name']} ({mode}; {'chat template' if session.prompt_format else 'plain text, no chat template'}; "
                f"{session.how})", bold=True)
    turns = iter(prompts) if prompts else None
    while True:
        if turns is not None:
            text = next(turns, None)
            if text is None:
                break
            click.echo(f"> {text}")
        else:
            text = click.prompt(">", default="", show_default=False, prompt_suffix=" ")
            if not text.strip():
                break
        with quiet_toolchain():
            reply = session.say(text, lambda piece: click.echo(piece, nl=False))
        click.echo()
        if reply.dropped_turns:
            click.secho(f"  (the conversation outgrew the {session.max_seq_len}-token cache: its oldest "
                        f"{reply.dropped_turns} turn(s) were dropped)", fg="yellow")
        click.secho(f"  [{reply.prompt_tokens} prompt tokens, {reply.tokens} new; first token {reply.first_token_seconds * 1000:.0f} ms, "
                    f"{reply.decode_tokens_per_second:.1f} tokens/s; stopped: {reply.stopped_by}]", dim=True)
