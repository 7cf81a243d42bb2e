/// The HTML report's only stylesheet, inline so the file is self-contained: system fonts, no
/// external resources, colours that survive printing, tables that do not split across pages.
enum HTMLStyle {
    static let css: Markup = """
    :root{--pass:#1a7f37;--warn:#9a6700;--fail:#cf222e;--unknown:#0969da;--na:#6e7781;--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa}
    *{box-sizing:border-box}
    body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
    main{max-width:1040px;margin:0 auto;padding:24px}
    h1{font-size:30px;margin:0 0 6px}h2{font-size:21px;margin:36px 0 10px;padding-bottom:6px;border-bottom:1px solid var(--line)}h3{font-size:17px;margin:22px 0 8px}
    code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:13px}
    p,li,td,th,dd{overflow-wrap:anywhere}
    .banner{border-radius:10px;padding:22px 26px;color:#fff;margin-bottom:18px}
    .banner.yes{background:var(--pass)}.banner.no{background:var(--fail)}.banner.unknown{background:#57606a}
    .banner .q{font-size:14px;text-transform:uppercase;letter-spacing:.06em;opacity:.9;margin:0}
    .banner .how{font-size:17px;margin:6px 0 0}
    .facts{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0 0;padding:0;list-style:none}
    .facts li{background:rgba(255,255,255,.16);border-radius:6px;padding:4px 10px;font-size:14px}
    .counts{display:flex;gap:8px;flex-wrap:wrap;margin:8px 0 0}
    .badge{display:inline-block;min-width:64px;text-align:center;border-radius:12px;padding:1px 10px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
    .st-pass{background:var(--pass)}.st-warn{background:var(--warn)}.st-fail{background:var(--fail)}.st-unknown{background:var(--unknown)}.st-not-applicable{background:var(--na)}
    table{border-collapse:collapse;width:100%;margin:8px 0 14px;font-size:14px}
    th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
    th{background:var(--bg);font-weight:600}th small{font-weight:400;color:var(--muted)}
    tr{break-inside:avoid}td.val{white-space:nowrap}table.tree>tbody>tr>th,table.tree>tr>th{width:28%}
    .yesv{color:var(--pass);font-weight:600}.nov{color:var(--fail);font-weight:600}.unk{color:var(--muted);font-style:italic}
    .finding{border:1px solid var(--line);border-left:6px solid var(--na);border-radius:6px;padding:10px 14px;margin:10px 0;break-inside:avoid}
    .finding.fail{border-left-color:var(--fail)}.finding.warn{border-left-color:var(--warn)}.finding.pass{border-left-color:var(--pass)}.finding.unknown{border-left-color:var(--unknown)}
    .finding h4{margin:0;font-size:15px}.finding .id{font-family:ui-monospace,monospace;font-size:13px;color:var(--muted)}
    .finding p{margin:6px 0}.finding ul{margin:4px 0 0;padding-left:20px;font-size:13px}
    .fix{background:#fff8c5;border-radius:4px;padding:4px 8px}
    .absent{color:var(--muted);font-style:italic;background:var(--bg);border:1px dashed var(--line);border-radius:6px;padding:10px 14px}
    .chips{display:flex;flex-wrap:wrap;gap:6px;list-style:none;padding:0}
    .chips li{border:1px solid var(--line);border-radius:12px;padding:0 10px;font-size:13px}
    .chips li.on{background:#dafbe1;border-color:#aceebb}.chips li.off{color:var(--muted);text-decoration:line-through}
    dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:8px 0}dl.kv dt{font-weight:600;color:var(--muted)}dl.kv dd{margin:0}
    svg{max-width:100%;height:auto;font-family:system-ui,sans-serif}
    svg .label{font-size:14px;font-weight:600;fill:var(--ink)}svg .sub{font-size:12px;fill:var(--muted)}svg .tick{font-size:11px;fill:var(--muted)}
    svg .value{font-size:13px;font-weight:600;fill:var(--ink)}svg .grid{stroke:var(--line);stroke-width:1}
    svg .bar0{fill:#218bff}svg .bar1{fill:#8250df}svg .whisker{stroke:var(--ink);stroke-width:1.5;fill:none}
    svg .groupbox{fill:var(--bg);stroke:#8c959f;stroke-width:1.5}svg .dev{fill-opacity:.22;stroke-width:1}svg .mono{font-size:12px;font-family:ui-monospace,monospace}
    svg .dev.st-pass{fill:var(--pass)}svg .dev.st-fail{fill:var(--fail)}svg .dev.st-warn{fill:var(--warn)}svg .dev.st-unknown{fill:var(--unknown)}svg .dev.st-not-applicable{fill:var(--na)}
    footer{margin:40px 0 10px;color:var(--muted);font-size:13px}
    @media print{main{max-width:none;padding:0}body{font-size:12px}.banner,.badge,svg,.finding,.chips li{-webkit-print-color-adjust:exact;print-color-adjust:exact}h2{break-after:avoid}section{break-inside:auto}}
    """
}
