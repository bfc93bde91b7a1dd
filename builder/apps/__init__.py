"""Generators and toolchains for the app shells edgepack emits."""
