"""Development data commands: seed-demo and bench-data. Registered by the core CLI; nothing
that serves requests imports this package."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    from pathlib import Path

    from flask import current_app

    from portal.devdata.demo import seed
    from portal.devdata.samples import write_samples

    for line in seed():
        click.echo(line)
    for path in write_samples(Path(current_app.instance_path) / "samples"):
        click.echo(f"sample import file (一括取込): {path}")


def init_app(app: Flask) -> None:
    from portal.devdata.benchdata import bench_data

    app.cli.add_command(seed_demo)
    app.cli.add_command(bench_data)
