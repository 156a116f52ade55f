"""Reports that leave the section: the yearly case-response recap (rekap) and the performance
evaluation (laporan evaluasi kinerja).

Builders (rekap, evaluation) read the register, the indicator engine and the evidence workspace
and produce a plain document model (document.py); renderers turn one model into HTML, PDF, XLSX
or CSV, so every format shows the same figures. Every aggregate passes the publication gate
(indicators.gate) before it enters the model."""
