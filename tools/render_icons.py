"""make icons: renders coordination/static/icons/icon.svg to the PNG sizes with Debian's Chromium
(there is no image library among the dependencies), then a favicon.ico holding the 16, 32 and 48 px
PNGs. The icons are committed: run it again only when icon.svg changes."""
import struct
import sys
from pathlib import Path
from playwright.sync_api import sync_playwright

folder = Path(sys.argv[1] if len(sys.argv) > 1 else "coordination/static/icons")
svg = (folder / "icon.svg").read_text()
sizes = {"icon-16.png": 16, "icon-32.png": 32, "icon-48.png": 48, "apple-touch-icon.png": 180,
         "icon-192.png": 192, "icon-512.png": 512}
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
    for name, size in sizes.items():
        page = browser.new_page(viewport={"width": size, "height": size})
        body = svg.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
        if name == "apple-touch-icon.png":  # iOS draws its own rounded corners over a full square
            body = body.replace('rx="14"', 'rx="0"')
        page.set_content(f'<html><body style="margin:0;background:transparent">{body}</body></html>')
        page.screenshot(path=str(folder / name), omit_background=True, clip={"x": 0, "y": 0, "width": size, "height": size})
        page.close()
    browser.close()
images = [(folder / f"icon-{s}.png").read_bytes() for s in (16, 32, 48)]
header = struct.pack("<HHH", 0, 1, len(images))
offset = 6 + 16 * len(images)
entries = b""
for s, data in zip((16, 32, 48), images):
    entries += struct.pack("<BBBBHHII", s, s, 0, 0, 1, 32, len(data), offset)
    offset += len(data)
(folder / "favicon.ico").write_bytes(header + entries + b"".join(images))
for s in (16, 48):
    (folder / f"icon-{s}.png").unlink()
