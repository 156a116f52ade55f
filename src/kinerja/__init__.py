"""Kinerja: case register, performance measurement and evaluation evidence for a
child-protection social-rehabilitation section (Dinas Sosial, Seksi Rehabilitasi Sosial Anak)."""

__version__ = "0.1.0"
