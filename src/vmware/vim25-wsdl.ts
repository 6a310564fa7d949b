/**
 * The hand-written vim25 WSDL subset this client needs: exactly the operations called through `soap` and the
 * types of their arguments (document/literal, namespace urn:vim25, messages `<Op>RequestMsg`/`<Op>ResponseMsg`).
 * vcsim serves no WSDL and a real vCenter's full WSDL costs ~1 s and ~160 MB per client, so we ship our own,
 * embedded as a string so the single-file module executables carry it. Responses are read with xml.ts.
 */
export const VIM25_WSDL = `<?xml version="1.0" encoding="UTF-8"?>
<definitions targetNamespace="urn:vim25" xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:vim25="urn:vim25">
  <types>
    <xsd:schema targetNamespace="urn:vim25" elementFormDefault="qualified">
      <xsd:complexType name="ManagedObjectReference">
        <xsd:simpleContent>
          <xsd:extension base="xsd:string">
            <xsd:attribute name="type" type="xsd:string"/>
          </xsd:extension>
        </xsd:simpleContent>
      </xsd:complexType>
      <xsd:complexType name="AboutInfo">
        <xsd:sequence>
          <xsd:element name="name" type="xsd:string"/>
          <xsd:element name="fullName" type="xsd:string"/>
          <xsd:element name="vendor" type="xsd:string"/>
          <xsd:element name="version" type="xsd:string"/>
          <xsd:element name="build" type="xsd:string"/>
          <xsd:element name="apiType" type="xsd:string" minOccurs="0"/>
          <xsd:element name="apiVersion" type="xsd:string" minOccurs="0"/>
          <xsd:element name="instanceUuid" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="ServiceContent">
        <xsd:sequence>
          <xsd:element name="rootFolder" type="vim25:ManagedObjectReference"/>
          <xsd:element name="propertyCollector" type="vim25:ManagedObjectReference"/>
          <xsd:element name="viewManager" type="vim25:ManagedObjectReference" minOccurs="0"/>
          <xsd:element name="about" type="vim25:AboutInfo"/>
          <xsd:element name="sessionManager" type="vim25:ManagedObjectReference" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="UserSession">
        <xsd:sequence>
          <xsd:element name="key" type="xsd:string"/>
          <xsd:element name="userName" type="xsd:string"/>
          <xsd:element name="fullName" type="xsd:string"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="VirtualMachineConfigSpec">
        <xsd:sequence>
          <xsd:element name="changeTrackingEnabled" type="xsd:boolean" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="DiskChangeExtent">
        <xsd:sequence>
          <xsd:element name="start" type="xsd:long"/>
          <xsd:element name="length" type="xsd:long"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="DiskChangeInfo">
        <xsd:sequence>
          <xsd:element name="startOffset" type="xsd:long"/>
          <xsd:element name="length" type="xsd:long"/>
          <xsd:element name="changedArea" type="vim25:DiskChangeExtent" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:element name="RetrieveServiceContent">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="RetrieveServiceContentResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="returnval" type="vim25:ServiceContent" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="Login">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
            <xsd:element name="userName" type="xsd:string" minOccurs="1" maxOccurs="1"/>
            <xsd:element name="password" type="xsd:string" minOccurs="1" maxOccurs="1"/>
            <xsd:element name="locale" type="xsd:string" minOccurs="0" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="LoginResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="returnval" type="vim25:UserSession" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="Logout">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="LogoutResponse">
        <xsd:complexType/>
      </xsd:element>
      <xsd:element name="CreateContainerView">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
            <xsd:element name="container" type="vim25:ManagedObjectReference" minOccurs="1" maxOccurs="1"/>
            <xsd:element name="type" type="xsd:string" minOccurs="0" maxOccurs="unbounded"/>
            <xsd:element name="recursive" type="xsd:boolean" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="CreateContainerViewResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="returnval" type="vim25:ManagedObjectReference" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="DestroyView">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="DestroyViewResponse">
        <xsd:complexType/>
      </xsd:element>
      <xsd:element name="CreateSnapshot_Task">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
            <xsd:element name="name" type="xsd:string" minOccurs="1" maxOccurs="1"/>
            <xsd:element name="description" type="xsd:string" minOccurs="0" maxOccurs="1"/>
            <xsd:element name="memory" type="xsd:boolean" minOccurs="1" maxOccurs="1"/>
            <xsd:element name="quiesce" type="xsd:boolean" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="CreateSnapshot_TaskResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="returnval" type="vim25:ManagedObjectReference" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="RemoveSnapshot_Task">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
            <xsd:element name="removeChildren" type="xsd:boolean" minOccurs="1" maxOccurs="1"/>
            <xsd:element name="consolidate" type="xsd:boolean" minOccurs="0" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="RemoveSnapshot_TaskResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="returnval" type="vim25:ManagedObjectReference" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="ReconfigVM_Task">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
            <xsd:element name="spec" type="vim25:VirtualMachineConfigSpec" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="ReconfigVM_TaskResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="returnval" type="vim25:ManagedObjectReference" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="PowerOnVM_Task">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
            <xsd:element name="host" type="vim25:ManagedObjectReference" minOccurs="0" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="PowerOnVM_TaskResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="returnval" type="vim25:ManagedObjectReference" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="PowerOffVM_Task">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="PowerOffVM_TaskResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="returnval" type="vim25:ManagedObjectReference" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="ShutdownGuest">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="ShutdownGuestResponse">
        <xsd:complexType/>
      </xsd:element>
      <xsd:element name="QueryChangedDiskAreas">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="_this" type="vim25:ManagedObjectReference"/>
            <xsd:element name="snapshot" type="vim25:ManagedObjectReference" minOccurs="0" maxOccurs="1"/>
            <xsd:element name="deviceKey" type="xsd:int" minOccurs="1" maxOccurs="1"/>
            <xsd:element name="startOffset" type="xsd:long" minOccurs="1" maxOccurs="1"/>
            <xsd:element name="changeId" type="xsd:string" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="QueryChangedDiskAreasResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="returnval" type="vim25:DiskChangeInfo" minOccurs="1" maxOccurs="1"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </types>
  <message name="RetrieveServiceContentRequestMsg">
    <part name="parameters" element="vim25:RetrieveServiceContent"/>
  </message>
  <message name="RetrieveServiceContentResponseMsg">
    <part name="parameters" element="vim25:RetrieveServiceContentResponse"/>
  </message>
  <message name="LoginRequestMsg">
    <part name="parameters" element="vim25:Login"/>
  </message>
  <message name="LoginResponseMsg">
    <part name="parameters" element="vim25:LoginResponse"/>
  </message>
  <message name="LogoutRequestMsg">
    <part name="parameters" element="vim25:Logout"/>
  </message>
  <message name="LogoutResponseMsg">
    <part name="parameters" element="vim25:LogoutResponse"/>
  </message>
  <message name="CreateContainerViewRequestMsg">
    <part name="parameters" element="vim25:CreateContainerView"/>
  </message>
  <message name="CreateContainerViewResponseMsg">
    <part name="parameters" element="vim25:CreateContainerViewResponse"/>
  </message>
  <message name="DestroyViewRequestMsg">
    <part name="parameters" element="vim25:DestroyView"/>
  </message>
  <message name="DestroyViewResponseMsg">
    <part name="parameters" element="vim25:DestroyViewResponse"/>
  </message>
  <message name="CreateSnapshot_TaskRequestMsg">
    <part name="parameters" element="vim25:CreateSnapshot_Task"/>
  </message>
  <message name="CreateSnapshot_TaskResponseMsg">
    <part name="parameters" element="vim25:CreateSnapshot_TaskResponse"/>
  </message>
  <message name="RemoveSnapshot_TaskRequestMsg">
    <part name="parameters" element="vim25:RemoveSnapshot_Task"/>
  </message>
  <message name="RemoveSnapshot_TaskResponseMsg">
    <part name="parameters" element="vim25:RemoveSnapshot_TaskResponse"/>
  </message>
  <message name="ReconfigVM_TaskRequestMsg">
    <part name="parameters" element="vim25:ReconfigVM_Task"/>
  </message>
  <message name="ReconfigVM_TaskResponseMsg">
    <part name="parameters" element="vim25:ReconfigVM_TaskResponse"/>
  </message>
  <message name="PowerOnVM_TaskRequestMsg">
    <part name="parameters" element="vim25:PowerOnVM_Task"/>
  </message>
  <message name="PowerOnVM_TaskResponseMsg">
    <part name="parameters" element="vim25:PowerOnVM_TaskResponse"/>
  </message>
  <message name="PowerOffVM_TaskRequestMsg">
    <part name="parameters" element="vim25:PowerOffVM_Task"/>
  </message>
  <message name="PowerOffVM_TaskResponseMsg">
    <part name="parameters" element="vim25:PowerOffVM_TaskResponse"/>
  </message>
  <message name="ShutdownGuestRequestMsg">
    <part name="parameters" element="vim25:ShutdownGuest"/>
  </message>
  <message name="ShutdownGuestResponseMsg">
    <part name="parameters" element="vim25:ShutdownGuestResponse"/>
  </message>
  <message name="QueryChangedDiskAreasRequestMsg">
    <part name="parameters" element="vim25:QueryChangedDiskAreas"/>
  </message>
  <message name="QueryChangedDiskAreasResponseMsg">
    <part name="parameters" element="vim25:QueryChangedDiskAreasResponse"/>
  </message>
  <portType name="VimPortType">
    <operation name="RetrieveServiceContent">
      <input message="vim25:RetrieveServiceContentRequestMsg"/>
      <output message="vim25:RetrieveServiceContentResponseMsg"/>
    </operation>
    <operation name="Login">
      <input message="vim25:LoginRequestMsg"/>
      <output message="vim25:LoginResponseMsg"/>
    </operation>
    <operation name="Logout">
      <input message="vim25:LogoutRequestMsg"/>
      <output message="vim25:LogoutResponseMsg"/>
    </operation>
    <operation name="CreateContainerView">
      <input message="vim25:CreateContainerViewRequestMsg"/>
      <output message="vim25:CreateContainerViewResponseMsg"/>
    </operation>
    <operation name="DestroyView">
      <input message="vim25:DestroyViewRequestMsg"/>
      <output message="vim25:DestroyViewResponseMsg"/>
    </operation>
    <operation name="CreateSnapshot_Task">
      <input message="vim25:CreateSnapshot_TaskRequestMsg"/>
      <output message="vim25:CreateSnapshot_TaskResponseMsg"/>
    </operation>
    <operation name="RemoveSnapshot_Task">
      <input message="vim25:RemoveSnapshot_TaskRequestMsg"/>
      <output message="vim25:RemoveSnapshot_TaskResponseMsg"/>
    </operation>
    <operation name="ReconfigVM_Task">
      <input message="vim25:ReconfigVM_TaskRequestMsg"/>
      <output message="vim25:ReconfigVM_TaskResponseMsg"/>
    </operation>
    <operation name="PowerOnVM_Task">
      <input message="vim25:PowerOnVM_TaskRequestMsg"/>
      <output message="vim25:PowerOnVM_TaskResponseMsg"/>
    </operation>
    <operation name="PowerOffVM_Task">
      <input message="vim25:PowerOffVM_TaskRequestMsg"/>
      <output message="vim25:PowerOffVM_TaskResponseMsg"/>
    </operation>
    <operation name="ShutdownGuest">
      <input message="vim25:ShutdownGuestRequestMsg"/>
      <output message="vim25:ShutdownGuestResponseMsg"/>
    </operation>
    <operation name="QueryChangedDiskAreas">
      <input message="vim25:QueryChangedDiskAreasRequestMsg"/>
      <output message="vim25:QueryChangedDiskAreasResponseMsg"/>
    </operation>
  </portType>
  <binding name="VimBinding" type="vim25:VimPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="RetrieveServiceContent">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="Login">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="Logout">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="CreateContainerView">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="DestroyView">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="CreateSnapshot_Task">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="RemoveSnapshot_Task">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="ReconfigVM_Task">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="PowerOnVM_Task">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="PowerOffVM_Task">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="ShutdownGuest">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
    <operation name="QueryChangedDiskAreas">
      <soap:operation soapAction="urn:vim25/7.0" style="document"/>
      <input>
        <soap:body use="literal"/>
      </input>
      <output>
        <soap:body use="literal"/>
      </output>
    </operation>
  </binding>
  <service name="VimService">
    <port name="VimPort" binding="vim25:VimBinding">
      <soap:address location="https://localhost/sdk"/>
    </port>
  </service>
</definitions>
`;
