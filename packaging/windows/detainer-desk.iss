; Inno Setup script for Detainer Desk (Windows). Build the one-folder bundle first:
;   uv run pyinstaller packaging\detainer-desk.spec --noconfirm --distpath dist --workpath build
; then compile this script with Inno Setup 6 (iscc packaging\windows\detainer-desk.iss).
; Per-machine install into Program Files; the records live in each user's data folder
; (%LOCALAPPDATA%\DetainerDesk\DetainerDesk) or on the county's PostgreSQL server.
#define AppName "Detainer Desk"
#define AppVersion "0.1.0"
#define Publisher "Detainer Desk"

[Setup]
AppId={{6F0B7A7E-3C1D-4C55-9C2E-0D5E1A9B6D10}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher={#Publisher}
DefaultDirName={autopf}\Detainer Desk
DefaultGroupName=Detainer Desk
OutputBaseFilename=DetainerDesk-{#AppVersion}-setup
SetupIconFile=..\icons\detainer-desk.ico
UninstallDisplayIcon={app}\detainer-desk.exe
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin
WizardStyle=modern

[Files]
Source: "..\..\dist\detainer-desk\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Detainer Desk"; Filename: "{app}\detainer-desk.exe"
Name: "{commondesktop}\Detainer Desk"; Filename: "{app}\detainer-desk.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\detainer-desk.exe"; Description: "Start Detainer Desk"; Flags: postinstall nowait skipifsilent
