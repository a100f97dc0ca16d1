/**
 * Entry of commands.html, the add-in's FunctionFile. Both ribbon buttons open task panes (ShowTaskpane), so no
 * function command is registered; the page exists because Outlook loads the FunctionFile named in the manifest
 * and waits for office.js to initialise in it.
 */
import { officeGlobal } from './office';

void officeGlobal()?.onReady();
