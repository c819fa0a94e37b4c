"""Demo data: realistic, deterministic landing-zone files for every source (see `generator`)."""

from triage_platform.lib.demo.generator import DemoManifest, Incident, generate_demo

__all__ = ["DemoManifest", "Incident", "generate_demo"]
