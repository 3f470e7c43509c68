# Fills cells of a workbook in LibreOffice (headless, through its UNO bridge) and saves it as
# .xlsx, as a person filling a gtsync form in LibreOffice Calc would; for make-fixtures.sh.
# usage: fill-form.py PROFILE_URL IN.xlsx OUT.xlsx SHEET CELL=VALUE... [SHEET CELL=VALUE...]
# A value that is an integer is entered as a number, anything else as text.
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def main():
    profile, src, dst = sys.argv[1:4]
    pipe = "gtsyncforms%d" % os.getpid()
    office = subprocess.Popen(["soffice", "-env:UserInstallation=" + profile, "--headless",
                               "--invisible", "--norestore",
                               "--accept=pipe,name=%s;urp;" % pipe])
    desktop = None
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(100):
            try:
                ctx = resolver.resolve(
                    "uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
                break
            except Exception:
                time.sleep(0.2)
        else:
            sys.exit("fill-form.py: LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(src)),
                                           "_blank", 0, (prop("Hidden", True),))
        sheet = None
        for arg in sys.argv[4:]:
            if "=" not in arg:
                sheet = doc.Sheets.getByName(arg)
                continue
            ref, value = arg.split("=", 1)
            cell = sheet.getCellRangeByName(ref)
            try:
                cell.setValue(int(value))
            except ValueError:
                cell.setString(value)
        doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(dst)),
                       (prop("FilterName", "Calc MS Excel 2007 XML"),))
        doc.close(True)
    finally:
        try:
            desktop.terminate()
        except Exception:
            office.kill()
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()


main()
