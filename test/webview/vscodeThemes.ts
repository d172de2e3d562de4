// The CSS variables VS Code injects into a webview, with the default values of the Light+, Dark+ and High Contrast
// (dark) themes, and the body class each theme sets. Only the variables the chart app reads are listed.
export type ThemeName = 'light' | 'dark' | 'high-contrast';

export const BODY_CLASS: Record<ThemeName, string> = {
  light: 'vscode-light',
  dark: 'vscode-dark',
  'high-contrast': 'vscode-high-contrast',
};

const FONT = '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif';

export const THEME_VARS: Record<ThemeName, Record<string, string>> = {
  light: {
    'font-family': FONT, 'font-size': '13px',
    'editor-background': '#ffffff', 'editor-foreground': '#000000', foreground: '#616161',
    descriptionForeground: '#717171', disabledForeground: 'rgba(97, 97, 97, 0.5)',
    'charts-blue': '#1a85ff', 'charts-orange': '#d18616', 'charts-foreground': '#616161', 'charts-lines': 'rgba(97, 97, 97, 0.5)',
    'editorWidget-border': '#c8c8c8', 'editorWidget-background': '#f3f3f3', focusBorder: '#0090f1', 'widget-shadow': 'rgba(0, 0, 0, 0.16)',
    'editorHoverWidget-background': '#f3f3f3', 'editorHoverWidget-foreground': '#616161', 'editorHoverWidget-border': '#c8c8c8',
    'dropdown-background': '#ffffff', 'dropdown-foreground': '#616161', 'dropdown-border': '#cecece',
    'button-background': '#007acc', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0062a3',
    'button-secondaryBackground': '#5f6a79', 'button-secondaryForeground': '#ffffff', 'button-secondaryHoverBackground': '#4c5561',
  },
  dark: {
    'font-family': FONT, 'font-size': '13px',
    'editor-background': '#1e1e1e', 'editor-foreground': '#d4d4d4', foreground: '#cccccc',
    descriptionForeground: 'rgba(204, 204, 204, 0.7)', disabledForeground: 'rgba(204, 204, 204, 0.5)',
    'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-foreground': '#cccccc', 'charts-lines': 'rgba(204, 204, 204, 0.5)',
    'editorWidget-border': '#454545', 'editorWidget-background': '#252526', focusBorder: '#007fd4', 'widget-shadow': 'rgba(0, 0, 0, 0.36)',
    'editorHoverWidget-background': '#252526', 'editorHoverWidget-foreground': '#cccccc', 'editorHoverWidget-border': '#454545',
    'dropdown-background': '#3c3c3c', 'dropdown-foreground': '#f0f0f0', 'dropdown-border': '#3c3c3c',
    'button-background': '#0e639c', 'button-foreground': '#ffffff', 'button-hoverBackground': '#1177bb',
    'button-secondaryBackground': '#3a3d41', 'button-secondaryForeground': '#ffffff', 'button-secondaryHoverBackground': '#45494e',
  },
  'high-contrast': {
    'font-family': FONT, 'font-size': '13px',
    'editor-background': '#000000', 'editor-foreground': '#ffffff', foreground: '#ffffff',
    descriptionForeground: 'rgba(255, 255, 255, 0.7)', disabledForeground: '#a5a5a5',
    'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-foreground': '#ffffff', 'charts-lines': 'rgba(255, 255, 255, 0.5)',
    contrastBorder: '#6fc3df', contrastActiveBorder: '#f38518',
    'editorWidget-border': '#6fc3df', 'editorWidget-background': '#0c141f', focusBorder: '#f38518', 'widget-shadow': 'rgba(0, 0, 0, 0)',
    'editorHoverWidget-background': '#0c141f', 'editorHoverWidget-foreground': '#ffffff', 'editorHoverWidget-border': '#6fc3df',
    'dropdown-background': '#000000', 'dropdown-foreground': '#ffffff', 'dropdown-border': '#6fc3df',
    'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df',
    'button-secondaryBackground': '#000000', 'button-secondaryForeground': '#ffffff',
  },
};

/** A stylesheet that sets each theme's variables under its body class, as VS Code does on the webview's root. */
export function themeStylesheet(): string {
  return (Object.keys(THEME_VARS) as ThemeName[]).map((t) => {
    const vars = Object.entries(THEME_VARS[t]).map(([k, v]) => `  --vscode-${k}: ${v};`).join('\n');
    return `body.${BODY_CLASS[t]} {\n${vars}\n  background: var(--vscode-editor-background);\n  color: var(--vscode-foreground);\n}`;
  }).join('\n');
}
